"""The words of FusionAuth's hosted pages: the default theme's messages (FusionAuth's defaultMessages for the keys the
mock's pages use), so that a page reads, and a test matches, as FusionAuth's does."""

from __future__ import annotations

MESSAGES = {
    # Page titles and labels
    "oauth2-authorize-page-title": "Login",
    "oauth2-error-page-title": "Error",
    "oauth2-two-factor-page-title": "Two-Factor Challenge",
    "oauth2-start-idp-link-page-title": "Link Account",
    "oauth2-authorized-not-registered-page-title": "Registration Required",
    "password-change-page-title": "Update Password",
    "email-verification-required-page-title": "Verification Required",
    "registration-verification-required-page-title": "Verification Required",
    "login": "Login",
    "loginId": "Login",
    "password": "Password",
    "passwordConfirm": "Confirm password",
    "remember-device": "Keep me signed in",
    "{tooltip}remember-device": "Check this to stay signed in for the configured duration, do not select this on a "
    "public computer or when this device is shared with multiple users",
    "submit": "Submit",
    "verify": "Verify",
    "or": "Or",
    "forgot-your-password": "Forgot your password?",
    "dont-have-an-account": "Don't have an account?",
    "create-an-account": "Create an account",
    "code": "Enter your verification or recovery code",
    "verificationCode": "Verification code",
    "two-factor-challenge": "Authentication challenge",
    "trust-computer": "Trust this device for {} days",
    "send-another-code": "Send another code",
    "password-change-title": "Update your password",
    "pending-link-info": "You have successfully authenticated using {}.",
    "pending-link-next-step": "To complete this request you may link to an existing user or create a new user.",
    "pending-link-next-step-no-registration": "To complete this request you must link to an existing user.",
    "pending-link-login-to-complete": "Login to complete your link to {}.",
    "login-cancel-link": "Or, cancel the link request.",
    "start-idp-link-title": "Link your account",
    "link-to-existing-user": "Link to an existing user",
    "link-to-new-user": "Create a new user",
    "cancel-link": "Cancel link request",
    "authorized-not-registered-title": "Registration Required",
    "authorized-not-registered": "Registration is required to access this application and your account has not been "
    "registered for this application. Please complete your registration and try again.",
    "email-verification-required-title": "Verification required",
    "{description}email-verification-required": "You must verify your email address before you continue.",
    "{description}email-verification-required-non-interactive": "Email verification is configured to be completed "
    "outside of this request. Once you have verified your email, retry this request.",
    "email-verification-required-send-another": "Send me another email",
    "registration-verification-required-title": "Verification required",
    "{description}registration-verification-required": "You must verify your registration before you continue.",
    "{description}registration-verification-required-non-interactive": "Registration verification is configured to "
    "be completed outside of this request. Once you have verified your registration, retry this request.",
    "registration-verification-required-send-another": "Send me another email",
    # Field errors
    "[blank]": "Required",
    "[invalid]code": "Invalid code",
    "[invalid]oneTimeCode": "Invalid",
    "[doNotMatch]": "Values do not match",
    "[tooShort]password": "Password does not meet the minimum length requirement",
    "[tooLong]password": "Password exceeds the maximum length requirement",
    "[singleCase]password": "Password requires upper and lower case characters",
    "[onlyAlpha]password": "Password requires a non-alphanumeric character",
    "[requireNumber]password": "Password requires at least one number",
    "[previouslyUsed]password": "Password has been recently used",
    # General errors (alerts above the form)
    "[InvalidLogin]": "Invalid login credentials.",
    "[LoginPreventedException]": "Your account has been locked.",
    "[UserExpiredException]": "Your account has expired. Please contact your system administrator.",
    "[UserLockedException]": "Your account has been locked. Please contact your system administrator.",
    "[TwoFactorTimeout]": "You did not complete the two-factor challenge in time. Please restart your request.",
    "[InvalidChangePasswordId]": "Your password reset code has expired or is invalid. Please retry your request.",
    "[InvalidVerificationId]": "Sorry. The request contains an invalid or expired verification Id. You may need to "
    "request another verification to be sent.",
    "[InvalidPendingIdPLinkId]": "Your link has expired or is invalid. Please retry your login request.",
    "[MissingPendingIdPLinkId]": "You must first log into a 3rd party identity provider to complete an account link.",
    "[InvalidIdentityProviderId]": "Invalid request. Unable to handle the identity provider login. Please contact your "
    "system administrator or support for assistance.",
    "[EmailVerificationSent]": "A verification email is on the way.",
    "[RegistrationVerificationSent]": "A verification email is on the way.",
    "[TwoFactorMessageSent]": "A one-time use code was sent",
    "[ErrorException]": "An unexpected error occurred.",
    "[ExternalAuthenticationException]MissingFederatedCSRFToken": "The request origin could not be verified. Unable "
    "to complete this login request.",
    "[ExternalAuthenticationException]InvalidFederatedCSRFToken": "The request origin could not be verified. Unable "
    "to complete this login request.",
    "[ExternalAuthenticationException]TwitchToken": "A request to the Twitch Token API has failed. Unable to complete "
    "this login request.",
    "[ExternalAuthenticationException]TwitchUserInfo": "A request to the Twitch User Info API has failed. Unable to "
    "complete this login request.",
    "[ExternalAuthenticationException]MissingEmail": "An email address was not provided for the user. This account "
    "cannot be used to log in, unable to complete this login request.",
    "[ExternalAuthenticationException]MissingUsername": "A username was not returned by the identity provider. This "
    "account cannot be used to log in, unable to complete this login request.",
    "[ExternalAuthenticationException]UnverifiedEmail": "The provided email address has not yet been verified. This "
    "account cannot be used to log in, unable to complete this login request.",
    "[ExternalAuthenticationException]ExistingUserAlreadyLinked": "This account is already linked to another user. "
    "Unable to complete this login request.",
    "[ExternalAuthenticationException]UserDoesNotExistByEmail": "You must first create a user with the same email "
    "address in order to complete this login request.",
    "[ExternalAuthenticationException]UserDoesNotExistByUsername": "You must first create a user with the same "
    "username in order to complete this login request.",
    "[ExternalAuthenticationException]InvalidIdentityProviderId": "The requested identityProviderId is invalid. "
    "Unable to complete this login request.",
}


def message(key: str, *args: object) -> str:
    """The theme's text for `key` ({} placeholders filled in); a field error falls back to its kind ([blank]...)."""
    text = MESSAGES.get(key)
    if text is None and key.startswith("[") and "]" in key:
        text = MESSAGES.get(key[: key.index("]") + 1])
    if text is None:
        return key
    return text.format(*args) if args else text
