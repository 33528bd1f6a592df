package webhook

// ReplyText lets the external tests read the choice of replies.
var ReplyText = replyText
