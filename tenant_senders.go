package herald

import "regexp"

// e164 matches a phone number in E.164 form: a plus, then 7 to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// validSMSFrom checks the sms_from setting: empty, or a number in E.164.
func validSMSFrom(from string) error {
	if from != "" && !e164.MatchString(from) {
		return FieldErrorf(ECodeInvalidPhone, "sms_from", "sms_from must be a number in E.164 form such as \"+14155550100\"")
	}
	return nil
}
