site-name = Aanmeldpunt partnerships voor meer banen
skip-to-content = Naar de inhoud
language-choice = Taalkeuze
footer-text = Aanmeldpunt voor bijeenkomsten en proeftuinen van overheids- en onderwijswerkgevers over banen voor mensen met een arbeidsbeperking.

index-title = Bijeenkomsten
index-intro = Meld u aan voor een bijeenkomst over partnerships tussen publieke werkgevers en marktpartijen voor meer banen voor mensen met een arbeidsbeperking.
index-empty = Er staan op dit moment geen bijeenkomsten gepland.
event-more = Bekijk en meld u aan
event-when = Datum
event-time = Tijd
event-where = Locatie
event-seats-left = Plaatsen vrij
event-seats-left-count = { $count ->
    [one] nog 1 plaats vrij
   *[other] nog { $count } plaatsen vrij
}
event-full-waitlist = Vol: u kunt zich aanmelden voor de wachtlijst.
event-public-sector-only = Alleen voor werkgevers uit de sectoren Overheid en Onderwijs.
event-state-open = Aanmelden is open.
event-state-waitlist-only = Alle plaatsen zijn bezet. Aanmeldingen komen op de wachtlijst.
event-state-full = Alle plaatsen zijn bezet en er is geen wachtlijst. Aanmelden is niet meer mogelijk.
event-state-closed = Aanmelden voor deze bijeenkomst is gesloten.
event-state-not-yet-open = Aanmelden voor deze bijeenkomst is nog niet geopend.

form-title = Aanmelden
form-required-note = Velden met een * zijn verplicht.
form-name = Naam
form-email = E-mailadres
form-email-hint = Hierheen sturen we de bevestiging met agenda-uitnodiging.
form-organisation = Organisatie
form-sector = Sector
form-sector-choose = Kies uw sector
form-sector-group-overheid = Overheid
form-sector-group-onderwijs = Onderwijs
form-sector-group-other = Overig
form-job-title = Functie
form-remarks = Opmerkingen
form-remarks-hint = Bijvoorbeeld over toegankelijkheid of dieetwensen.
form-optional = (niet verplicht)
form-submit = Aanmelden
form-submit-waitlist = Aanmelden voor de wachtlijst
form-has-errors = Niet alle velden zijn goed ingevuld. Verbeter de velden met een foutmelding.

thanks-title = Bedankt voor uw aanmelding
thanks-confirmed = Uw aanmelding is bevestigd. U ontvangt een e-mail met een agenda-uitnodiging en een persoonlijke link om uw aanmelding te bekijken of te annuleren.
thanks-waitlisted = U staat op de wachtlijst, op plaats { $position }. Komt er een plaats vrij, dan schuift u automatisch door en krijgt u bericht.
thanks-waitlisted-mail = U ontvangt een e-mail met een persoonlijke link om uw aanmelding te bekijken of te annuleren.
thanks-cancelled = Deze aanmelding is geannuleerd.
back-to-events = Terug naar de bijeenkomsten

manage-title = Uw aanmelding
manage-status = Status
status-confirmed = Bevestigd
status-waitlisted = Op de wachtlijst
status-cancelled = Geannuleerd
manage-position = Plaats op de wachtlijst
manage-cancel-intro = Kunt u niet komen? Annuleer dan uw aanmelding, zodat iemand van de wachtlijst uw plaats kan innemen.
manage-cancel-button = Aanmelding annuleren
manage-cancelled-note = Uw aanmelding is geannuleerd. U ontvangt hierover een bevestiging per e-mail.
manage-event = Bijeenkomst

error-title = Er ging iets mis
error-validation = Niet alle velden zijn goed ingevuld.
error-invalid-body = De gegevens hebben niet de verwachte vorm
error-not-found = Deze pagina of aanmelding bestaat niet (meer).
error-duplicate = Met dit e-mailadres bent u al aangemeld voor deze bijeenkomst. We hebben de bevestiging opnieuw naar u gestuurd.
error-full = Deze bijeenkomst is vol en heeft geen wachtlijst.
error-closed = Aanmelden voor deze bijeenkomst is niet (meer) mogelijk.
error-payload-too-large = Het verzoek is te groot.
error-bad-request = Het verzoek kon niet worden gelezen.
error-unavailable = Het aanmeldpunt is tijdelijk niet bereikbaar. Probeer het over een paar minuten opnieuw.
error-internal = Er ging iets mis aan onze kant. Probeer het later opnieuw.
ineligible-public-sector-event = Deze bijeenkomst is alleen voor werkgevers uit de sectoren Overheid en Onderwijs. Werkgevers uit andere sectoren en marktpartijen zijn welkom bij onze open bijeenkomsten.

field-error-required = Vul dit veld in.
field-error-too-long = Dit is te lang.
field-error-email-invalid = Vul een geldig e-mailadres in, zoals naam@organisatie.nl.
field-error-control-characters = Dit veld bevat tekens die niet zijn toegestaan.
field-error-sector-unknown = Kies een sector uit de lijst.
field-error-lang-unknown = Kies nl of en.

mail-greeting = Beste { $name },
mail-confirmed-intro = U bent aangemeld voor { $title }.
mail-promoted-intro = Er is een plaats vrijgekomen: u bent van de wachtlijst doorgeschoven en nu aangemeld voor { $title }.
mail-resent-intro = U vroeg opnieuw om uw bevestiging. Hieronder staan uw gegevens en links.
mail-waitlisted-intro = De bijeenkomst { $title } is vol. U staat op de wachtlijst, op plaats { $position }. Komt er een plaats vrij, dan schuift u automatisch door en krijgt u een nieuwe e-mail met de agenda-uitnodiging.
mail-cancelled-intro = Uw aanmelding voor { $title } is geannuleerd.
mail-cancelled-calendar = De afspraak in uw agenda wordt met de bijlage ingetrokken.
mail-when = Wanneer
mail-where = Waar
mail-calendar-note = De agenda-uitnodiging zit als bijlage bij deze e-mail.
mail-manage = Bekijk of annuleer uw aanmelding
mail-manage-note = Deze link is persoonlijk; stuur hem niet door.
mail-event-link = Meer over de bijeenkomst
mail-signature = Met vriendelijke groet,
mail-team = Het team van het Aanmeldpunt
mail-subject-confirmed = Bevestiging: { $title }
mail-subject-waitlisted = Wachtlijst: { $title }
mail-subject-cancelled = Geannuleerd: { $title }
