"""Text material for the sample federation: places, and what people offer and ask for.

Plain data for examples/generate.py. Places are real (postcodes, districts, coordinates);
people, organisations and contact details are invented (example.* domains, 0xxx 0123 numbers).
"""

# district -> (postcode, place name as people write it), coordinates of the centre
PLACES = {
    "Potsdam": ([("14467", "Potsdam"), ("14469", "Potsdam-Bornstedt"), ("14473", "Potsdam-Teltower Vorstadt"),
                 ("14480", "Potsdam-Drewitz"), ("14482", "Potsdam-Babelsberg")], (52.3906, 13.0645)),
    "Berlin": ([("12043", "Berlin-Neukölln"), ("12047", "Berlin-Neukölln"), ("10997", "Berlin-Kreuzberg"),
                ("13347", "Berlin-Wedding"), ("10243", "Berlin-Friedrichshain")], (52.4811, 13.4352)),
    "Dresden": ([("01067", "Dresden"), ("01069", "Dresden"), ("01097", "Dresden-Neustadt"),
                 ("01099", "Dresden-Neustadt")], (51.0504, 13.7373)),
    "Leipzig": ([("04103", "Leipzig"), ("04107", "Leipzig-Südvorstadt"), ("04315", "Leipzig-Volkmarsdorf"),
                 ("04177", "Leipzig-Lindenau")], (51.3397, 12.3731)),
    "Göttingen": ([("37073", "Göttingen"), ("37075", "Göttingen"), ("37081", "Göttingen-Grone"),
                   ("37083", "Göttingen"), ("37079", "Göttingen-Holtenser Berg")], (51.5413, 9.9158)),
    "Wolfenbüttel": ([("38300", "Wolfenbüttel"), ("38302", "Wolfenbüttel"), ("38304", "Wolfenbüttel")],
                     (52.1645, 10.5409)),
    "Braunschweig": ([("38100", "Braunschweig"), ("38102", "Braunschweig"), ("38106", "Braunschweig")],
                     (52.2689, 10.5268)),
    "Wolfsburg": ([("38440", "Wolfsburg"), ("38442", "Wolfsburg-Fallersleben"), ("38444", "Wolfsburg-Detmerode"),
                   ("38448", "Wolfsburg-Vorsfelde")], (52.4227, 10.7865)),
    "Gera": ([("07545", "Gera"), ("07546", "Gera"), ("07548", "Gera-Lusan"), ("07549", "Gera")], (50.8806, 12.0833)),
    "Hamburg": ([("20095", "Hamburg"), ("22765", "Hamburg-Altona"), ("21073", "Hamburg-Harburg")],
                (53.5511, 9.9937)),
}

STREETS = ["Hauptstraße 12", "Bahnhofstraße 3", "Lindenallee 27", "Schulstraße 8", "Am Markt 1",
           "Friedrich-Ebert-Straße 45", "Goethestraße 19", "Kirchplatz 2", "Gartenweg 14", "Rosenstraße 6"]

ORGANISATIONS = [
    ("Nachbarschaftshaus Mitte e.V.", "https://nachbarschaftshaus.example.org"),
    ("Willkommensbündnis", "https://willkommen.example.org"),
    ("Caritasverband (Ortsgruppe)", "https://caritas-ortsgruppe.example.org"),
    ("Diakonie Stadtteilarbeit", "https://diakonie-stadtteil.example.org"),
    ("Flüchtlingsrat Initiative", "https://fluechtlingsinitiative.example.org"),
    ("Sportverein Eintracht 1921", "https://eintracht1921.example.org"),
    ("Internationaler Frauentreff", "https://frauentreff.example.org"),
    ("Jugendmigrationsdienst", "https://jmd.example.org"),
    ("Volkshochschule", "https://vhs.example.org"),
    ("Kleiderkammer im Gemeindehaus", "https://kleiderkammer.example.org"),
]

FIRST_NAMES = ["anna", "jonas", "leila", "sami", "petra", "thomas", "fatima", "markus", "yasmin", "klaus",
               "birgit", "omar", "julia", "ahmad", "sabine", "lukas"]

# Goods: (item, category code). Titles and descriptions are built from the patterns below.
GOODS = [
    ("Kleiderschrank, 2-türig", "goods"), ("Kinderwagen", "goods"), ("Herrenfahrrad 28 Zoll", "mobility"),
    ("Waschmaschine", "goods"), ("Winterjacken Größe M", "goods"), ("Babykleidung 0–6 Monate", "goods"),
    ("Küchentisch mit vier Stühlen", "goods"), ("Bettgestell 140 × 200 cm", "goods"),
    ("Kinderfahrrad 20 Zoll", "mobility"), ("Geschirr und Kochtöpfe", "goods"), ("Schulranzen", "goods"),
    ("Bettwäsche und Handtücher", "goods"), ("Kühlschrank mit Gefrierfach", "goods"), ("Schlafsofa", "goods"),
    ("Laptop (älter, funktioniert)", "education"), ("Nähmaschine", "goods"), ("Kinderspielzeug", "goods"),
    ("Wintermäntel für Kinder", "goods"), ("Schuhe Größe 38 bis 42", "goods"), ("Staubsauger", "goods"),
    ("Deutsch-Lehrbücher A1/A2", "language"), ("Kinderbett mit Matratze", "goods"), ("Damenfahrrad", "mobility"),
]
GOODS_OFFER_TITLES = ["{item} abzugeben", "{item} zu verschenken", "Gut erhalten: {item}", "{item} für eine Familie"]
GOODS_REQUEST_TITLES = ["Suche {item}", "{item} gesucht", "Familie braucht {item}", "Wer hat {item} übrig?"]
CONDITION = ["Gut erhalten.", "Kaum benutzt.", "Leichte Gebrauchsspuren, voll funktionsfähig.",
             "Sauber und vollständig.", "Wie neu."]
PICKUP = ["Abholung in {city}.", "Kann im Umkreis von 10 km gebracht werden.", "Abholung nach Absprache, gern abends.",
          "Bitte selbst abholen, 2. Stock ohne Aufzug."]
NEED = ["Wir sind eine Familie mit drei Kindern und gerade in eine eigene Wohnung gezogen.",
        "Für eine alleinerziehende Mutter, die neu in {city} ist.",
        "Für zwei junge Männer aus Syrien, die ihre erste Wohnung beziehen.",
        "Gern auch gebraucht, Hauptsache funktionsfähig."]

# Time: (title, description, category code, kind) in German; {city} is filled in.
TIME = [
    ("Deutschunterricht für Anfänger", "Ich bin pensionierte Lehrerin und gebe zweimal pro Woche Deutschunterricht für Anfänger (A1). Material bringe ich mit.", "language", "offer"),
    ("Sprachpatenschaft Deutsch", "Ich treffe mich gern einmal pro Woche zum Deutschsprechen, Spazierengehen und Fragen klären.", "language", "offer"),
    ("Hausaufgabenhilfe für Schulkinder", "Nachmittags Unterstützung bei den Hausaufgaben, vor allem Deutsch und Mathe, Klassen 3 bis 7.", "education", "offer"),
    ("Begleitung zu Behördengängen", "Ich begleite zu Ausländerbehörde, Jobcenter und Sozialamt und helfe beim Ausfüllen der Formulare.", "counselling", "offer"),
    ("Begleitung zu Arztterminen", "Begleitung zu Ärzten und ins Krankenhaus, auch Hilfe bei der Terminvereinbarung.", "health", "offer"),
    ("Dolmetschen Arabisch–Deutsch", "Ich spreche fließend Arabisch und Deutsch und dolmetsche bei Terminen, dienstags und donnerstags ab 17 Uhr.", "translation", "offer"),
    ("Dolmetschen Farsi–Deutsch", "Übersetzung bei Elterngesprächen in Schulen und Kitas, Farsi und Dari.", "translation", "offer"),
    ("Fahrdienst mit Transporter", "Ich habe einen Transporter und helfe bei Umzügen und beim Abholen von Möbelspenden.", "mobility", "offer"),
    ("Fahrradwerkstatt zum Mitmachen", "Jeden Samstag reparieren wir gemeinsam gespendete Fahrräder. Werkzeug ist da, Vorkenntnisse braucht es nicht.", "mobility", "offer"),
    ("Fußballtraining für Jugendliche", "Offenes Training für Jugendliche von 12 bis 18 Jahren, Bälle und Leibchen sind vorhanden.", "leisure", "offer"),
    ("Gemeinsames Kochen", "Wir kochen einmal im Monat gemeinsam Gerichte aus aller Welt und essen zusammen.", "leisure", "offer"),
    ("Stadtführung für Neuankömmlinge", "Eine Führung durch die Stadt: wo ist was, wie funktionieren Bus und Bahn, wo gibt es günstige Einkäufe.", "leisure", "offer"),
    ("Kinderbetreuung während des Sprachkurses", "Wir betreuen Kinder von 2 bis 6 Jahren, während die Eltern im Sprachkurs sind.", "volunteering", "offer"),
    ("Bewerbungstraining", "Hilfe beim Lebenslauf, Anschreiben und Vorbereitung auf Vorstellungsgespräche.", "jobs", "offer"),
    ("Computerkurs für Einsteiger", "Grundlagen am PC: E-Mail, Textverarbeitung, Online-Bewerbung. Laptops werden gestellt.", "education", "offer"),
    ("Praktikumsplatz in der Tischlerei", "Unsere Tischlerei bietet ein Praktikum von vier Wochen, Einstieg in eine Ausbildung möglich.", "jobs", "offer"),
    ("Ausbildungsplatz Elektroniker", "Wir bilden ab August aus und freuen uns über Bewerbungen von Geflüchteten, Deutsch B1 wird vorausgesetzt.", "jobs", "offer"),
    ("Zimmer in WG frei", "In unserer Dreier-WG wird ein möbliertes Zimmer frei, 14 qm, warm 320 Euro.", "housing", "offer"),
    ("Erste-Hilfe-Kurs auf Arabisch", "Ein Erste-Hilfe-Kurs mit Übersetzung ins Arabische, Teilnahme kostenlos.", "health", "offer"),
    ("Suche Sprachpartner", "Ich lerne seit einem Jahr Deutsch (B1) und suche jemanden zum Üben, gern im Café.", "language", "request"),
    ("Suche Wohnung für Familie", "Familie mit zwei Kindern sucht eine Drei-Zimmer-Wohnung, Kostenübernahme durch das Jobcenter liegt vor.", "housing", "request"),
    ("Suche Arbeit als Koch", "Ich habe acht Jahre als Koch gearbeitet und suche eine Stelle oder ein Praktikum in einer Küche.", "jobs", "request"),
    ("Suche Nachhilfe in Mathematik", "Für meinen Sohn (Klasse 8) suche ich Nachhilfe in Mathe, gern zweimal pro Woche.", "education", "request"),
    ("Begleitung zum Jobcenter gesucht", "Ich brauche Hilfe bei einem Termin im Jobcenter und beim Ausfüllen der Anträge.", "counselling", "request"),
    ("Suche Ausbildungsplatz als Mechatroniker", "Ich bin 19, habe einen Hauptschulabschluss und suche eine Ausbildung im Kfz-Bereich.", "jobs", "request"),
]

# Calls for helpers (Göttingen, GoVolunteer): (title, description, category, helpers)
CALLS = [
    ("Helfer für Kleiderkammer gesucht", "Sortieren und Ausgeben von Kleiderspenden. Bitte festes Schuhwerk.", "goods", 6),
    ("Umzugshelfer gesucht", "Eine Familie zieht aus der Notunterkunft in eine Wohnung. Wir brauchen kräftige Hände.", "volunteering", 4),
    ("Helfer für das Sommerfest", "Aufbau, Kuchenstand und Kinderschminken beim Sommerfest der Unterkunft.", "leisure", 10),
    ("Deutschkurs-Begleitung", "Wir suchen Freiwillige, die unsere Deutschkurse für Geflüchtete begleiten.", "language", 4),
    ("Fahrer für Möbelspenden", "Abholung gespendeter Möbel mit unserem Transporter, Führerschein Klasse B nötig.", "mobility", 2),
    ("Hilfe bei der Essensausgabe", "Ausgabe des Mittagessens in der Erstaufnahme, jeweils drei Stunden.", "volunteering", 5),
    ("Spielnachmittag für Kinder betreuen", "Spiele, Basteln und Vorlesen mit Kindern aus der Unterkunft.", "leisure", 3),
    ("Dolmetscher für Infoabend gesucht", "Für einen Infoabend zum Asylverfahren suchen wir Dolmetscher für Arabisch, Farsi und Tigrinya.", "translation", 3),
    ("Renovierung des Begegnungscafés", "Streichen und Aufbauen von Regalen im neuen Begegnungscafé.", "volunteering", 8),
    ("Hausaufgabenhilfe in der Unterkunft", "Regelmäßige Hausaufgabenbetreuung für Schulkinder, montags bis donnerstags.", "education", 4),
    ("Helfer für Fahrradwerkstatt", "Wir reparieren gespendete Fahrräder und suchen Schrauber mit etwas Erfahrung.", "mobility", 3),
    ("Begleitung zum Arzt gesucht", "Begleitung von Familien zu Kinderärzten, Deutschkenntnisse und etwas Zeit am Vormittag.", "health", 2),
]

# Recurring events and directory services (Göttingen events, Wolfenbüttel HSDS):
# (German name, German description, English, Arabic, portal category, hub category)
SERVICES = [
    ("Willkommenscafé", "Jeden Dienstag treffen sich Alteingesessene und Neuangekommene bei Kaffee und Kuchen.",
     ("Welcome café", "Every Tuesday long-time residents and newcomers meet over coffee and cake."),
     ("مقهى الترحيب", "كل يوم ثلاثاء يلتقي السكان القدامى والقادمون الجدد على القهوة والكعك."), "Willkommenscafé", "leisure"),
    ("Sprachcafé Deutsch", "Deutsch üben in entspannter Runde, für alle Niveaus, ohne Anmeldung.",
     ("German language café", "Practise German in a relaxed group, all levels welcome, no registration."),
     ("مقهى اللغة الألمانية", "تدرب على اللغة الألمانية في جو مريح، لجميع المستويات، بدون تسجيل."), "Sprachkurs", "language"),
    ("Integrationskurs mit Kinderbetreuung", "Integrationskurs nach BAMF mit paralleler Kinderbetreuung, Module 1 bis 6.",
     ("Integration course with childcare", "Official integration course with childcare alongside, modules 1 to 6."),
     ("دورة اندماج مع رعاية الأطفال", "دورة اندماج رسمية مع رعاية للأطفال خلال الدروس."), "Integrationskurs", "education"),
    ("Migrationsberatung für Erwachsene", "Beratung zu Aufenthalt, Arbeit, Wohnung und Familiennachzug, vertraulich und kostenlos.",
     ("Migration counselling for adults", "Advice on residence, work, housing and family reunification, confidential and free."),
     ("استشارات الهجرة للبالغين", "استشارات حول الإقامة والعمل والسكن ولم شمل الأسرة، بسرية ومجاناً."), "Beratung", "counselling"),
    ("Spielkreis für Mütter und Kinder", "Offener Spielkreis für Eltern mit Kindern bis drei Jahre.",
     ("Playgroup for mothers and children", "Open playgroup for parents with children up to three."),
     ("مجموعة لعب للأمهات والأطفال", "مجموعة لعب مفتوحة للآباء والأمهات مع أطفال حتى ثلاث سنوات."), "Spielkreis", "leisure"),
    ("Fußball für alle", "Offenes Fußballtraining auf dem Vereinsgelände, Schuhe können ausgeliehen werden.",
     ("Football for everyone", "Open football training at the club grounds, boots can be borrowed."),
     ("كرة القدم للجميع", "تدريب مفتوح لكرة القدم في ملعب النادي، يمكن استعارة الأحذية."), "Sport", "leisure"),
    ("Gesundheitssprechstunde", "Sprechstunde zu Krankenversicherung, Arztsuche und Impfungen, mit Dolmetscherin.",
     ("Health consultation hour", "Questions about health insurance, finding a doctor and vaccinations, with an interpreter."),
     ("ساعة استشارات صحية", "أسئلة حول التأمين الصحي وإيجاد طبيب والتطعيمات، مع مترجمة."), "Gesundheit", "health"),
    ("Jobcafé", "Unterstützung bei der Arbeitssuche, Bewerbungen und Anerkennung von Abschlüssen.",
     ("Job café", "Help with job hunting, applications and recognition of qualifications."),
     ("مقهى العمل", "المساعدة في البحث عن عمل والطلبات والاعتراف بالشهادات."), "Arbeit", "jobs"),
    ("Frauentreff international", "Treffpunkt für Frauen aller Herkunft: Austausch, Ausflüge, Nähen.",
     ("International women's meeting", "A meeting place for women of every origin: talks, outings, sewing."),
     ("ملتقى النساء الدولي", "مكان لقاء للنساء من كل الأصول: حوار ورحلات وخياطة."), "Willkommenscafé", "leisure"),
    ("Alphabetisierungskurs", "Lesen und Schreiben lernen in kleinen Gruppen, auch für Menschen ohne Schulbildung.",
     ("Literacy course", "Learn to read and write in small groups, also for people without schooling."),
     ("دورة محو الأمية", "تعلم القراءة والكتابة في مجموعات صغيرة، أيضاً لمن لم يذهبوا إلى المدرسة."), "Sprachkurs", "language"),
]

ENGLISH = [
    ("Free German conversation group", "We meet every Thursday evening to practise German together. Beginners welcome.", "language", "offer"),
    ("Bicycle repair help", "I repair bikes for free for anyone who needs one to get to work or school.", "mobility", "offer"),
    ("Looking for a room", "Student from Eritrea looking for a room in a shared flat, from next month.", "housing", "request"),
    ("Maths tutoring in English", "Engineering student offering maths tutoring in English for pupils and adults.", "education", "offer"),
    ("Help with job applications", "HR professional offering help with CVs and interview practice, in English or German.", "jobs", "offer"),
    ("Looking for winter clothes", "Young family needs warm clothes for two children aged 4 and 7.", "goods", "request"),
    ("Guitar lessons for kids", "I teach guitar to children for free on Saturday mornings, instruments available.", "leisure", "offer"),
]

ARABIC = [
    ("دروس خصوصية في الرياضيات", "أقدم دروساً خصوصية في الرياضيات لطلاب المدارس، مجاناً، مرتين في الأسبوع.", "education", "offer"),
    ("أبحث عن عمل في مجال البناء", "لدي خبرة عشر سنوات في البناء وأبحث عن عمل أو تدريب.", "jobs", "request"),
    ("ترجمة من العربية إلى الألمانية", "أساعد في ترجمة الرسائل والوثائق الرسمية من العربية إلى الألمانية.", "translation", "offer"),
    ("أبحث عن شقة لعائلتي", "عائلة من خمسة أفراد تبحث عن شقة بثلاث غرف.", "housing", "request"),
    ("ملابس أطفال للتبرع", "لدي ملابس أطفال بحالة جيدة للأعمار من سنة إلى ثلاث سنوات.", "goods", "offer"),
]

# Ways people shorten or respell words when they post the same thing again elsewhere.
ABBREVIATIONS = [("Straße", "Str."), (" und ", " & "), ("Deutschunterricht", "Deutsch-Unterricht"),
                 ("Begleitung", "Begl."), ("Kinder", "Kids"), ("gesucht", "ges."), ("für", "f."),
                 ("Telefon", "Tel."), ("zweimal", "2x"), ("Jahren", "J.")]
EXTENSIONS = ["Bei Fragen einfach melden!", "Wir freuen uns auf euch.", "Alles kostenlos.",
              "Gerne auch kurzfristig.", "Bitte weitersagen!"]

# What makes one person's post their own: an opening, a detail, a time.
OPENERS = ["Hallo zusammen!", "Liebe Nachbarn,", "Hallo!", "Guten Tag,", "Wir sind eine kleine Initiative im Stadtteil.",
           "Ich bin Studentin und habe etwas Zeit.", "Wir sind ein Rentnerehepaar.", "Ich bin neu hier im Viertel.",
           "Unser Verein hilft seit letztem Herbst.", "Ich arbeite im Schichtdienst.", "", "", "", ""]
DETAILS = ["Am besten nachmittags.", "Gern auch am Wochenende.", "Ich spreche auch etwas Englisch.",
           "Parkplätze gibt es direkt vor dem Haus.", "Der Eingang ist im Hinterhof.", "Kinder sind willkommen.",
           "Bitte vorher kurz Bescheid geben.", "Wir haben einen Aufzug.", "Gut mit der Tram erreichbar.",
           "Ich habe einen Hund, der ist aber lieb.", "Kaffee und Tee stehen bereit.", "Nur gegen Abholung.",
           "Es eilt nicht.", "Eine Spendenquittung ist möglich.", "Bei Regen findet es drinnen statt."]
TIMES = ["montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags", "sonntags"]


def personal(rng, text: str) -> str:
    """One person's version of a text: an opening, the text, a detail or two, a time."""
    parts = [rng.choice(OPENERS), text, rng.choice(DETAILS)]
    if rng.random() < 0.6:
        parts.append(f"Zeit habe ich {rng.choice(TIMES)} ab {rng.randint(8, 19)} Uhr.")
    if rng.random() < 0.4:
        parts.append(rng.choice([d for d in DETAILS if d != parts[2]]))
    return " ".join(p for p in parts if p)

OPENERS_EN = ["Hi everyone!", "Hello neighbours,", "Hi!", "I'm new in town.", "I'm a student with some free time.", "", ""]
DETAILS_EN = ["Afternoons work best.", "Weekends are fine too.", "I also speak some German.", "Kids welcome.",
              "Please message first.", "Easy to reach by tram.", "No rush.", "Tea and coffee provided."]
OPENERS_AR = ["مرحباً!", "أهلاً بالجميع،", "", ""]
DETAILS_AR = ["يفضل بعد الظهر.", "عطلة نهاية الأسبوع مناسبة أيضاً.", "أتحدث القليل من الألمانية.", "الأطفال مرحب بهم."]


def personal_in(rng, language: str, text: str) -> str:
    """Like personal(), in English or Arabic."""
    openers, details = (OPENERS_EN, DETAILS_EN) if language == "en" else (OPENERS_AR, DETAILS_AR)
    return " ".join(p for p in (rng.choice(openers), text, rng.choice(details)) if p)
