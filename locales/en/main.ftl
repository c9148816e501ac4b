site-name = Sign-up desk partnerships for more jobs
skip-to-content = Skip to content
language-choice = Language
footer-text = Sign-up desk for meetings and pilots of government and education employers about jobs for people with a work disability.

index-title = Meetings
index-intro = Sign up for a meeting about partnerships between public employers and market suppliers creating jobs for people with a work disability.
index-empty = No meetings are planned at the moment.
event-more = View and sign up
event-when = Date
event-time = Time
event-where = Location
event-seats-left = Seats left
event-seats-left-count = { $count ->
    [one] 1 seat left
   *[other] { $count } seats left
}
event-full-waitlist = Full: you can join the waiting list.
event-public-sector-only = Only for employers in the Government and Education sectors.
event-state-open = Registration is open.
event-state-waitlist-only = All seats are taken. New sign-ups join the waiting list.
event-state-full = All seats are taken and there is no waiting list. Registration is no longer possible.
event-state-closed = Registration for this meeting is closed.
event-state-not-yet-open = Registration for this meeting has not opened yet.

form-title = Sign up
form-required-note = Fields marked * are required.
form-name = Name
form-email = E-mail address
form-email-hint = We send the confirmation with a calendar invitation here.
form-organisation = Organisation
form-sector = Sector
form-sector-choose = Choose your sector
form-sector-group-overheid = Government
form-sector-group-onderwijs = Education
form-sector-group-other = Other
form-job-title = Job title
form-remarks = Remarks
form-remarks-hint = For example about accessibility or dietary needs.
form-optional = (optional)
form-submit = Sign up
form-submit-waitlist = Join the waiting list
form-has-errors = Some fields are not filled in correctly. Please correct the fields with a message.

thanks-title = Thank you for signing up
thanks-confirmed = Your sign-up is confirmed. You will receive an e-mail with a calendar invitation and a personal link to view or cancel your sign-up.
thanks-waitlisted = You are on the waiting list, at position { $position }. When a seat becomes free you move up automatically and we will let you know.
thanks-waitlisted-mail = You will receive an e-mail with a personal link to view or cancel your sign-up.
thanks-cancelled = This sign-up has been cancelled.
back-to-events = Back to the meetings

manage-title = Your sign-up
manage-status = Status
status-confirmed = Confirmed
status-waitlisted = On the waiting list
status-cancelled = Cancelled
manage-position = Position on the waiting list
manage-cancel-intro = Can't make it? Please cancel, so someone on the waiting list can take your seat.
manage-cancel-button = Cancel sign-up
manage-cancelled-note = Your sign-up has been cancelled. You will receive a confirmation by e-mail.
manage-event = Meeting

error-title = Something went wrong
error-validation = Some fields are not filled in correctly.
error-invalid-body = The data does not have the expected shape
error-not-found = This page or sign-up does not exist (any more).
error-duplicate = You have already signed up for this meeting with this e-mail address. We have sent your confirmation again.
error-full = This meeting is full and has no waiting list.
error-closed = Registration for this meeting is not possible (any more).
error-payload-too-large = The request is too large.
error-bad-request = The request could not be read.
error-unavailable = The sign-up desk is temporarily unavailable. Please try again in a few minutes.
error-internal = Something went wrong on our side. Please try again later.
ineligible-public-sector-event = This meeting is only for employers in the Government and Education sectors. Employers from other sectors and market suppliers are welcome at our open meetings.

field-error-required = Please fill in this field.
field-error-too-long = This is too long.
field-error-email-invalid = Enter a valid e-mail address, such as name@organisation.nl.
field-error-control-characters = This field contains characters that are not allowed.
field-error-sector-unknown = Choose a sector from the list.
field-error-lang-unknown = Choose nl or en.

mail-greeting = Dear { $name },
mail-confirmed-intro = You are signed up for { $title }.
mail-promoted-intro = A seat has become free: you have moved up from the waiting list and are now signed up for { $title }.
mail-resent-intro = You asked for your confirmation again. Your details and links are below.
mail-waitlisted-intro = The meeting { $title } is full. You are on the waiting list, at position { $position }. When a seat becomes free you move up automatically and receive a new e-mail with the calendar invitation.
mail-cancelled-intro = Your sign-up for { $title } has been cancelled.
mail-cancelled-calendar = The attachment removes the appointment from your calendar.
mail-when = When
mail-where = Where
mail-calendar-note = The calendar invitation is attached to this e-mail.
mail-manage = View or cancel your sign-up
mail-manage-note = This link is personal; please do not forward it.
mail-event-link = More about the meeting
mail-signature = Kind regards,
mail-team = The Sign-up desk team
mail-subject-confirmed = Confirmation: { $title }
mail-subject-waitlisted = Waiting list: { $title }
mail-subject-cancelled = Cancelled: { $title }
