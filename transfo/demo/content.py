"""What the demo programme is made of: La Transfo's collectivités, Labs, trades, cases and texts.

Every person is fictional. ``loader.py`` turns these tables into rows.
"""
import datetime
import uuid
import zoneinfo
from dataclasses import dataclass
from pathlib import Path


from cases.models import Stage
from programmes.models import Collectivite, Licence
from sessions.models import AgendaItem

SEED = "la-transfo-2016-2020"
DEMO_PASSWORD = "transfo-demo-2016"
EMAIL_DOMAIN = "demo.transfo.example"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Block ids of the pages' StreamFields are derived from this, so a new load writes the same JSON.
BLOCK_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"https://{EMAIL_DOMAIN}/blocks")

PROGRAMME = {
    "slug": "la-transfo-2016-2020",
    "name": "La Transfo 2016–2020",
    "organiser": "La 27e Région",
    "start_date": datetime.date(2016, 1, 4),
    "end_date": datetime.date(2020, 12, 18),
    "default_licence": Licence.CC_BY_SA_4,
    "description": (
        "Programme expérimental mené de 2016 à 2020 par La 27e Région avec sept collectivités, pour les "
        "accompagner dans la création de leur propre laboratoire d'innovation publique. Dans chacune, "
        "une équipe pluridisciplinaire de trois à quatre résident·es anime chaque mois, pendant 16 à "
        "18 mois, des sessions de deux à trois jours avec une vingtaine d'agents ambassadeurs "
        "représentatifs de la diversité des métiers. Des rencontres croisées, les InterTransfo, "
        "permettent de construire un savoir commun. Avec le soutien de Bloomberg Philanthropies."
    ),
}

# (slug, name, kind, département, website, seat name, seat street address)
COLLECTIVITES = [
    ("mulhouse", "Ville de Mulhouse", Collectivite.Kind.VILLE, "68", "https://www.mulhouse.fr",
     "Hôtel de ville de Mulhouse", "2 rue Pierre et Marie Curie\n68100 Mulhouse"),
    ("paris", "Ville de Paris", Collectivite.Kind.VILLE, "75", "https://www.paris.fr",
     "Hôtel de Ville de Paris", "Place de l'Hôtel de Ville\n75004 Paris"),
    ("dunkerque", "Communauté urbaine de Dunkerque", Collectivite.Kind.COMMUNAUTE_URBAINE, "59",
     "https://www.communaute-urbaine-dunkerque.fr", "Communauté urbaine de Dunkerque",
     "Pertuis de la Marine\n59140 Dunkerque"),
    ("lille", "Métropole européenne de Lille", Collectivite.Kind.METROPOLE, "59", "https://www.lillemetropole.fr",
     "Siège de la Métropole européenne de Lille", "2 boulevard des Cités Unies\n59000 Lille"),
    ("strasbourg", "Eurométropole de Strasbourg", Collectivite.Kind.METROPOLE, "67", "https://www.strasbourg.eu",
     "Centre administratif de l'Eurométropole", "1 parc de l'Étoile\n67000 Strasbourg"),
    ("metz", "Metz Métropole", Collectivite.Kind.METROPOLE, "57", "https://www.metzmetropole.fr",
     "Maison de la Métropole", "11 boulevard de Solidarité\n57070 Metz"),
    ("occitanie", "Région Occitanie", Collectivite.Kind.REGION, "31", "https://www.laregion.fr",
     "Hôtel de Région", "22 boulevard du Maréchal Juin\n31400 Toulouse"),
]


@dataclass(frozen=True)
class LabSpec:
    collectivite: str
    name: str
    start: datetime.date
    end: datetime.date
    rhythm_start: datetime.date
    days_per_session: int
    residents: int
    cases: tuple
    abandoned: str
    closed: bool
    description: str


# Each Transfo lasts 18 months: with August off, that leaves 16 or 17 monthly sessions.
LABS = [
    LabSpec("mulhouse", "La Transfo de Mulhouse", datetime.date(2016, 6, 1), datetime.date(2017, 11, 30),
            datetime.date(2016, 6, 6), 3, 3,
            ("accueil-etat-civil", "integration-nouveaux-agents", "abords-ecoles", "bibliotheque-hors-les-murs",
             "tiers-lieu-mairie"), "tiers-lieu-mairie", True,
            "Première Transfo du programme : préfigurer un labo d'innovation au service des agents et des habitants."),
    LabSpec("paris", "La Transfo de Paris", datetime.date(2016, 10, 3), datetime.date(2018, 3, 30),
            datetime.date(2016, 10, 10), 2, 4,
            ("courriers-langage-clair", "non-recours", "espaces-de-travail", "depots-sauvages", "demarches-en-ligne",
             "jardins-partages"), "depots-sauvages", True,
            "Une Transfo au cœur d'une grande administration : tester des méthodes d'innovation dans les directions."),
    LabSpec("dunkerque", "La Transfo de Dunkerque", datetime.date(2017, 1, 9), datetime.date(2018, 6, 29),
            datetime.date(2017, 1, 10), 3, 3,
            ("courriers-langage-clair", "abords-ecoles", "commande-publique-pme", "restauration-scolaire"),
            "commande-publique-pme", True,
            "Préfigurer un labo intercommunal qui travaille avec les communes de l'agglomération."),
    LabSpec("occitanie", "La Transfo d'Occitanie", datetime.date(2018, 4, 3), datetime.date(2019, 9, 30),
            datetime.date(2018, 4, 9), 3, 4,
            ("lycees-bien-etre", "transport-rural", "aides-entreprises", "integration-nouveaux-agents",
             "demarches-en-ligne"), "transport-rural", True,
            "Une Transfo régionale, entre Toulouse et Montpellier, au service de territoires très divers."),
    LabSpec("lille", "La Transfo de Lille", datetime.date(2018, 9, 3), datetime.date(2020, 2, 28),
            datetime.date(2018, 9, 11), 2, 3,
            ("jardins-partages", "commande-publique-pme", "espaces-de-travail", "demarches-en-ligne",
             "depots-sauvages"), "espaces-de-travail", False,
            "Faire travailler ensemble la Métropole et ses communes autour de cas pratiques partagés."),
    LabSpec("strasbourg", "La Transfo de Strasbourg", datetime.date(2018, 11, 5), datetime.date(2020, 4, 30),
            datetime.date(2018, 11, 6), 3, 4,
            ("non-recours", "bibliotheque-hors-les-murs", "restauration-scolaire", "integration-nouveaux-agents"),
            "restauration-scolaire", False,
            "Une Transfo partagée entre la Ville et l'Eurométropole, pour un labo commun aux deux administrations."),
    LabSpec("metz", "La Transfo de Metz", datetime.date(2019, 1, 7), datetime.date(2020, 6, 30),
            datetime.date(2019, 1, 8), 2, 3,
            ("abords-ecoles", "courriers-langage-clair", "jardins-partages", "accueil-etat-civil", "tiers-lieu-mairie"),
            "accueil-etat-civil", False,
            "Préfigurer le labo de la Métropole avec les agents de terrain et leurs usagers."),
]

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Louise", "Clara", "Anaïs", "Pauline",
    "Mathilde", "Elsa", "Nadia", "Sophie", "Aurélie", "Céline", "Hélène", "Fatou", "Yasmine", "Lucie", "Margot",
    "Agathe", "Salomé", "Maëlle", "Noémie", "Justine", "Amandine", "Leïla", "Thomas", "Nicolas", "Julien", "Maxime",
    "Antoine", "Hugo", "Lucas", "Romain", "Karim", "Mehdi", "Olivier", "Sébastien", "Vincent", "Mathieu", "Baptiste",
    "Quentin", "Florian", "Yanis", "Samuel", "Arnaud", "Damien", "Jérôme", "Malik", "Théo", "Gaël", "Bastien",
    "Rémi", "Cédric", "Loïc", "Dominique", "Sacha", "Alix",
]
LAST_NAMES = [
    "Aubert", "Barbier", "Benali", "Berthier", "Blanchard", "Bouvier", "Brunet", "Carpentier", "Chevalier",
    "Colin", "Delattre", "Deschamps", "Diallo", "Dumont", "Duval", "Étienne", "Fabre", "Faure", "Fleury",
    "Fontaine", "Gaillard", "Garnier", "Gauthier", "Gilbert", "Guérin", "Hamel", "Hoarau", "Huet", "Jacquet",
    "Joly", "Klein", "Lacroix", "Lambert", "Langlois", "Lebrun", "Leclerc", "Lefèvre", "Lemaire", "Leroux",
    "Lopez", "Mallet", "Marchal", "Martel", "Masson", "Mercier", "Meyer", "Millet", "Moulin", "Muller",
    "Noël", "Ollivier", "Pelletier", "Perrin", "Picard", "Poirier", "Renard", "Rey", "Riviere", "Roche",
    "Rolland", "Roussel", "Schmitt", "Simon", "Tessier", "Traoré", "Vasseur", "Vidal", "Weber", "Zimmermann",
]

# Every resident team mixes design, social sciences and urban practice.
DISCIPLINES = [
    "designer de services", "sociologue", "urbaniste", "coach en transformation", "architecte",
    "designer graphique", "ethnologue", "politiste",
]
HOST_DISCIPLINES = [
    "chargé·e de mission innovation, direction de la performance",
    "chef·fe de projet modernisation, direction générale des services",
    "chargé·e de mission transformation, mission innovation",
]

# (métier, direction / service): what a Lab's twenty ambassadors come from.
METIERS_COMMON = [
    ("Chargé·e de recrutement", "Direction des ressources humaines"),
    ("Gestionnaire de paie", "Direction des ressources humaines"),
    ("Contrôleur·se de gestion", "Direction des finances"),
    ("Administrateur·rice systèmes", "Direction des systèmes d'information"),
    ("Chargé·e de communication", "Direction de la communication"),
    ("Juriste commande publique", "Direction des affaires juridiques et de la commande publique"),
    ("Médiateur·rice numérique", "Mission inclusion numérique"),
    ("Chargé·e de mission développement durable", "Mission transition écologique"),
    ("Archiviste", "Direction des archives"),
    ("Assistant·e de direction", "Direction générale des services"),
    ("Chargé·e d'études mobilité", "Direction des mobilités"),
    ("Gestionnaire de subventions", "Direction de la vie associative"),
    ("Chargé·e de mission culture", "Direction de la culture"),
    ("Agent·e d'entretien des bâtiments", "Direction du patrimoine bâti"),
    ("Conseiller·e en insertion", "Direction de la cohésion sociale"),
]
METIERS_LOCAL = [
    ("Officier·e d'état civil", "Direction de la population — état civil"),
    ("Agent·e d'accueil", "Mairie de quartier"),
    ("Technicien·ne voirie", "Direction de la voirie et des espaces publics"),
    ("Bibliothécaire", "Réseau des médiathèques"),
    ("Travailleur·se social·e", "Centre communal d'action sociale"),
    ("Jardinier·e", "Service des espaces verts"),
    ("Agent·e de police municipale", "Police municipale"),
    ("Auxiliaire de puériculture", "Direction de la petite enfance"),
    ("Instructeur·rice du droit des sols", "Direction de l'urbanisme"),
    ("Animateur·rice périscolaire", "Direction de l'éducation"),
    ("Agent·e de propreté", "Direction de la propreté urbaine"),
    ("Éducateur·rice sportif·ve", "Direction des sports"),
    ("Chef·fe de projet renouvellement urbain", "Direction de la politique de la ville"),
    ("Technicien·ne eau et assainissement", "Direction du cycle de l'eau"),
    ("Cuisinier·e", "Service de la restauration scolaire"),
]
METIERS_REGION = [
    ("Agent·e d'accueil en lycée", "Direction de l'éducation et des lycées"),
    ("Gestionnaire des transports scolaires", "Direction des transports"),
    ("Chargé·e de mission formation professionnelle", "Direction de l'emploi et de la formation"),
    ("Instructeur·rice des aides aux entreprises", "Direction de l'économie"),
    ("Chargé·e de mission fonds européens", "Direction des affaires européennes"),
    ("Chargé·e de mission agriculture", "Direction de l'agriculture"),
    ("Chargé·e de mission tourisme", "Direction du tourisme"),
    ("Chef·fe de cuisine en lycée", "Direction de l'éducation et des lycées"),
    ("Chargé·e de mission santé", "Direction des solidarités"),
    ("Technicien·ne bâtiments lycées", "Direction du patrimoine"),
    ("Chargé·e de mission jeunesse", "Direction de la jeunesse et des sports"),
    ("Instructeur·rice des bourses", "Direction de l'enseignement supérieur"),
]


@dataclass(frozen=True)
class CaseSpec:
    title: str
    topic: str
    problem: str
    service: str
    tags: tuple
    lessons: str


# Shared by the Labs so that the same kind of case shows up in several collectivités.
CASES = {
    "accueil-etat-civil": CaseSpec(
        "Réinventer l'accueil à l'état civil", "l'accueil à l'état civil",
        "Au guichet de l'état civil, les usagers attendent longtemps sans savoir quelles pièces apporter ; "
        "les agents vivent mal les tensions à l'accueil.",
        "Direction de la population", ("accueil des usagers", "état civil", "temps d'attente"),
        "Le projet de guichet unique dépendait d'un logiciel dont le remplacement a été reporté. Nous avons "
        "appris à vérifier les dépendances techniques dès le cadrage, et gardé le parcours usager cartographié.",
    ),
    "courriers-langage-clair": CaseSpec(
        "Des courriers que l'on comprend", "les courriers aux usagers",
        "Les courriers de relance et de notification sont jugés incompréhensibles : beaucoup d'usagers "
        "appellent pour se les faire expliquer, ou ne répondent pas.",
        "Direction des finances", ("langage clair", "simplification", "relation usagers"),
        "Les modèles de courriers sont figés dans un progiciel que personne ne peut modifier ; sans l'éditeur, "
        "impossible d'aller au bout. Impliquer la DSI dès le départ.",
    ),
    "integration-nouveaux-agents": CaseSpec(
        "Bien accueillir les nouveaux agents", "l'accueil des nouveaux agents",
        "Les agents nouvellement recrutés mettent des mois à trouver leurs repères ; le livret d'accueil "
        "n'est pas lu et chaque service improvise.",
        "Direction des ressources humaines", ("ressources humaines", "accueil des agents", "transversalité"),
        "Le parcours d'intégration a buté sur l'absence de temps dégagé pour les tuteurs : sans reconnaissance "
        "du tutorat, les volontaires s'épuisent.",
    ),
    "abords-ecoles": CaseSpec(
        "Des abords d'école apaisés", "les abords des écoles",
        "Aux heures d'entrée et de sortie, les abords des écoles sont encombrés et dangereux ; les parents "
        "se plaignent, la police municipale est débordée.",
        "Direction de la voirie et des espaces publics", ("espace public", "mobilité", "enfance"),
        "Les aménagements temporaires ont été refusés par les riverains faute de concertation préalable : "
        "le test doit être co-construit avec eux, pas seulement annoncé.",
    ),
    "bibliotheque-hors-les-murs": CaseSpec(
        "La bibliothèque hors les murs", "la lecture hors les murs",
        "Les habitants de plusieurs quartiers ne fréquentent jamais les médiathèques : comment aller vers eux "
        "plutôt que les attendre ?",
        "Réseau des médiathèques", ("lecture publique", "quartiers", "aller-vers"),
        "Le triporteur de livres n'a pas trouvé d'équipe pour le faire vivre au-delà du test : un prototype "
        "sans porteur pérenne ne survit pas à la fin des sessions.",
    ),
    "non-recours": CaseSpec(
        "Réduire le non-recours aux aides", "le non-recours aux aides sociales",
        "Une part importante des ménages éligibles ne demande pas les aides auxquelles ils ont droit : "
        "méconnaissance, complexité, peur d'être stigmatisé.",
        "Centre communal d'action sociale", ("action sociale", "non-recours", "aller-vers"),
        "Le croisement des fichiers envisagé posait des questions juridiques que nous n'avions pas anticipées ; "
        "associer le délégué à la protection des données dès l'enquête.",
    ),
    "commande-publique-pme": CaseSpec(
        "Ouvrir la commande publique aux petites entreprises", "la commande publique",
        "Les petites entreprises du territoire répondent peu aux marchés publics, jugés trop longs et trop "
        "complexes ; les acheteurs reçoivent toujours les mêmes offres.",
        "Direction de la commande publique", ("commande publique", "simplification", "entreprises"),
        "Le cadre juridique laissait moins de marge que prévu et la réforme nationale a changé la donne en "
        "cours de route : mieux vaut tester sur un seul marché réel que sur un modèle théorique.",
    ),
    "jardins-partages": CaseSpec(
        "Cultiver les délaissés urbains", "les jardins partagés",
        "Des parcelles délaissées attendent un projet ; des habitants demandent des jardins partagés sans "
        "savoir à qui s'adresser, et les demandes se perdent entre services.",
        "Service des espaces verts", ("nature en ville", "participation citoyenne", "espace public"),
        "Les parcelles repérées étaient polluées : un diagnostic des sols aurait dû précéder l'appel aux "
        "habitants, pour ne pas décevoir.",
    ),
    "depots-sauvages": CaseSpec(
        "Moins de dépôts sauvages", "les dépôts sauvages",
        "Les dépôts sauvages se multiplient au pied des immeubles ; les agents de propreté les ramassent "
        "chaque matin sans que rien ne change.",
        "Direction de la propreté urbaine", ("propreté", "déchets", "espace public"),
        "Les bailleurs sociaux, indispensables, ne se sont pas engagés : un cas qui dépend d'un partenaire "
        "extérieur doit l'avoir autour de la table dès le cadrage.",
    ),
    "tiers-lieu-mairie": CaseSpec(
        "Un tiers-lieu dans la mairie de quartier", "le tiers-lieu de quartier",
        "La mairie de quartier est vide l'après-midi alors que les associations cherchent des salles et que "
        "les habitants n'y viennent que pour une démarche.",
        "Direction de la vie des quartiers", ("tiers-lieu", "quartiers", "participation citoyenne"),
        "Les contraintes de sécurité et d'ouverture au public ont rendu le lieu inutilisable hors des horaires "
        "des agents : le règlement du bâtiment est un sujet de design à part entière.",
    ),
    "restauration-scolaire": CaseSpec(
        "La cantine, un moment pour apprendre", "la restauration scolaire",
        "Le temps du repas est bruyant et pressé, les enfants jettent une grande partie de leur assiette et "
        "les agents de restauration se sentent peu reconnus.",
        "Service de la restauration scolaire", ("enfance", "gaspillage alimentaire", "alimentation"),
        "Le changement de prestataire en cours d'année a gelé toute expérimentation : caler le calendrier du "
        "cas sur celui des marchés.",
    ),
    "espaces-de-travail": CaseSpec(
        "Des espaces de travail pour coopérer", "les espaces de travail",
        "Les services travaillent en silos jusque dans l'organisation des bureaux ; les salles de réunion sont "
        "introuvables et personne ne sait qui fait quoi à l'étage.",
        "Direction du patrimoine bâti", ("espaces de travail", "transversalité", "ressources humaines"),
        "Le déménagement prévu a été repoussé de deux ans : le cas s'est arrêté, mais le diagnostic des usages "
        "servira au futur programme immobilier.",
    ),
    "demarches-en-ligne": CaseSpec(
        "Des démarches en ligne accessibles à tous", "les démarches en ligne",
        "De plus en plus de démarches passent en ligne, mais une partie des usagers n'y arrive pas seule et "
        "revient au guichet, découragée.",
        "Direction des systèmes d'information", ("dématérialisation", "inclusion numérique", "relation usagers"),
        "Le portail dépendait d'un marché national verrouillé : nos maquettes n'ont pas pu être intégrées.",
    ),
    "lycees-bien-etre": CaseSpec(
        "Des lycées où l'on se sent bien", "la vie dans les lycées",
        "Les agents des lycées (accueil, restauration, entretien) et les élèves se croisent sans se connaître ; "
        "les espaces de vie sont peu investis et souvent dégradés.",
        "Direction de l'éducation et des lycées", ("lycées", "jeunesse", "espaces de travail"),
        "Le calendrier scolaire laisse peu de fenêtres pour tester : prévoir les tests dès la rentrée.",
    ),
    "transport-rural": CaseSpec(
        "Se déplacer sans voiture en zone rurale", "la mobilité en zone rurale",
        "Dans les territoires ruraux, les jeunes et les personnes âgées sans voiture renoncent à des soins, "
        "des formations ou un emploi faute de transport.",
        "Direction des transports", ("mobilité", "ruralité", "relation usagers"),
        "Le service de transport à la demande testé relevait d'une autre autorité organisatrice qui ne s'est "
        "pas associée au projet. Nous avons appris à cartographier les compétences avant d'imaginer des "
        "solutions, et à partager l'enquête usagers, qui reste précieuse.",
    ),
    "aides-entreprises": CaseSpec(
        "Simplifier les demandes d'aides régionales", "les demandes d'aides aux entreprises",
        "Les dossiers de demande d'aide sont longs et redondants ; beaucoup de petites entreprises "
        "abandonnent en cours de route ou se font aider par des cabinets payants.",
        "Direction de l'économie", ("simplification", "entreprises", "dématérialisation"),
        "Les règlements d'intervention, votés en assemblée, ne pouvaient pas évoluer pendant le test.",
    ),
}

# (title, objectives, morning kind, afternoon kind), by session number; the last session closes.
SESSION_THEMES = [
    ("Session de lancement", "Faire connaissance, partager les intentions de la démarche et le rôle des "
     "ambassadeur·rices, repérer les premières pistes de cas pratiques.", "formation", "atelier"),
    ("Immersion : vis ma vie d'agent", "Passer une demi-journée dans le service d'un·e autre ambassadeur·rice "
     "et en rapporter des observations.", "immersion", "restitution"),
    ("Choisir les cas pratiques", "Confronter les pistes de cas aux critères du programme et choisir ceux "
     "qui serviront de banc d'essai.", "atelier", "point_cas"),
    ("Enquête auprès des usagers", "Préparer et mener des entretiens avec des usagers des services "
     "concernés par les cas.", "immersion", "point_cas"),
    ("Veille : les labos d'ailleurs", "Découvrir des laboratoires d'innovation publique en France et en "
     "Europe pour nourrir le nôtre.", "veille", "prefiguration"),
    ("Idéation sur les cas", "Transformer les constats de l'enquête en pistes de solutions.", "atelier", "point_cas"),
    ("Premiers prototypes", "Fabriquer des maquettes rapides et les confronter aux usagers.", "prototypage",
     "point_cas"),
    ("Tester sur le terrain", "Mettre les prototypes à l'épreuve dans les services.", "experimentation", "point_cas"),
    ("Mi-parcours : bilan et réorientations", "Faire le bilan de mi-parcours avec la direction générale et "
     "réorienter les cas si besoin.", "restitution", "prefiguration"),
    ("Préfigurer le labo : missions", "Définir ce que le futur labo fera, pour qui, et ce qu'il ne fera pas.",
     "prefiguration", "atelier"),
    ("Deuxième vague de prototypes", "Reprendre les prototypes après les tests et en fabriquer de nouveaux.",
     "prototypage", "point_cas"),
    ("Expérimentations en conditions réelles", "Lancer des expérimentations de plusieurs semaines avec les "
     "services.", "experimentation", "point_cas"),
    ("Diffuser les méthodes", "Former des collègues aux méthodes utilisées dans les cas.", "formation", "point_cas"),
    ("Préfigurer le labo : lieu, équipe, gouvernance", "Dessiner l'organisation du futur labo et sa place dans "
     "l'administration.", "prefiguration", "atelier"),
    ("Évaluer les expérimentations", "Mesurer ce que les expérimentations ont changé pour les usagers et les "
     "agents.", "experimentation", "point_cas"),
    ("Documenter et transmettre", "Rédiger les fiches des cas et préparer leur publication sous licence libre.",
     "formation", "point_cas"),
    ("Préparer le passage de relais", "Organiser la suite : qui porte quoi après la Transfo.", "prefiguration",
     "point_cas"),
]
CLOSING_THEME = ("Clôture : le labo de demain", "Présenter le projet de labo aux élu·es et à la direction "
                 "générale, célébrer le chemin parcouru.", "restitution", "prefiguration")

KIND_TITLES = {
    AgendaItem.Kind.WATCH: ["Tour d'horizon des labos d'innovation publique", "Veille : ce que font les autres"],
    AgendaItem.Kind.IMMERSION: ["Immersion dans les services", "Entretiens avec des usagers"],
    AgendaItem.Kind.PROTOTYPING: ["Prototypage rapide : {case}", "Maquettes et mises en situation : {case}"],
    AgendaItem.Kind.EXPERIMENT: ["Test en conditions réelles : {case}", "Préparer l'expérimentation : {case}"],
    AgendaItem.Kind.WORKSHOP: ["Atelier créatif : {case}", "Atelier d'idéation : {case}"],
    AgendaItem.Kind.TRAINING: ["Partage de méthodes : l'entretien usager", "Former les collègues au prototypage"],
    AgendaItem.Kind.CASE_POINT: ["Point cas : {case}", "Où en est-on ? {case}"],
    AgendaItem.Kind.RESTITUTION: ["Restitution collective", "Ce que nous avons vu, ce que nous en retenons"],
    AgendaItem.Kind.LAB_DESIGN: ["Préfigurer le labo : missions et offre de service", "Le labo idéal en maquette"],
}
KIND_DESCRIPTIONS = {
    AgendaItem.Kind.WATCH: "Lecture croisée d'exemples et discussion en petits groupes.",
    AgendaItem.Kind.IMMERSION: "Par binômes, sur le terrain ; retour en salle avec les carnets d'observation.",
    AgendaItem.Kind.PROTOTYPING: "Carton, papier, scénarios : fabriquer vite pour montrer et tester.",
    AgendaItem.Kind.EXPERIMENT: "Avec les agents du service concerné et quelques usagers volontaires.",
    AgendaItem.Kind.WORKSHOP: "Générer des idées en nombre, puis les trier ensemble.",
    AgendaItem.Kind.TRAINING: "Apports des résident·es et mise en pratique immédiate.",
    AgendaItem.Kind.CASE_POINT: "Chaque équipe présente son avancée et ses blocages ; les autres réagissent.",
    AgendaItem.Kind.RESTITUTION: "Mise en commun des productions de la journée.",
    AgendaItem.Kind.LAB_DESIGN: "Travail sur la feuille de route du futur labo.",
}
CASE_KINDS = {
    AgendaItem.Kind.PROTOTYPING, AgendaItem.Kind.EXPERIMENT, AgendaItem.Kind.WORKSHOP, AgendaItem.Kind.CASE_POINT,
}

# Journal entries by the case's stage on that day.
ENTRY_TEXTS = {
    Stage.FRAMING: (
        ["Première réunion d'équipe sur {topic} : reformulation de la problématique avec le service commanditaire.",
         "Rencontre avec le service commanditaire pour délimiter ce que nous traitons sur {topic}."],
        ["Le problème tel qu'il est posé par la direction n'est pas celui que vivent les agents de terrain.",
         "Il existe déjà beaucoup de données, mais personne ne les a croisées."],
        ["Lister les usagers et les agents à rencontrer.", "Préparer une grille d'entretien."],
    ),
    Stage.INQUIRY: (
        ["Entretiens avec des usagers et observation au guichet, autour de {topic}.",
         "Une journée d'immersion dans le service pour suivre {topic} de bout en bout."],
        ["Les usagers contournent la procédure officielle : c'est une information, pas une fraude.",
         "Les agents ont déjà inventé des astuces que la hiérarchie ignore."],
        ["Synthétiser les entretiens en quelques portraits d'usagers.", "Partager les constats avec le service."],
    ),
    Stage.IDEATION: (
        ["Atelier d'idéation : une quarantaine d'idées sur {topic}, triées en trois pistes.",
         "Séance de croisement des idées avec un autre cas du labo."],
        ["Les meilleures idées viennent souvent des agents qui sont au contact du public.",
         "Il faut garder des pistes modestes à côté des idées spectaculaires."],
        ["Choisir une piste à prototyper.", "Identifier qui, dans le service, portera le prototype."],
    ),
    Stage.PROTOTYPING: (
        ["Fabrication d'une maquette en carton et d'un scénario d'usage pour {topic}.",
         "Réécriture d'un document type et test à voix haute avec des collègues."],
        ["Montrer une maquette imparfaite déclenche plus de réactions qu'un long rapport.",
         "Le prototype révèle des règles internes que personne n'avait formulées."],
        ["Tester le prototype avec de vrais usagers.", "Ajuster après les premiers retours."],
    ),
    Stage.TESTING: (
        ["Test du prototype pendant deux semaines dans le service, avec un relevé quotidien.",
         "Expérimentation en conditions réelles avec des usagers volontaires."],
        ["Le test fait bouger des collègues qui étaient sceptiques au départ.",
         "Les chiffres ne disent pas tout : les verbatims des usagers convainquent davantage."],
        ["Présenter les résultats à la direction.", "Décider ce qui mérite d'être déployé."],
    ),
    Stage.DEPLOYMENT: (
        ["Présentation du bilan à la direction générale ; décision de généraliser sur {topic}.",
         "Rédaction de la fiche du cas pour la documentation ouverte."],
        ["Un déploiement demande un porteur identifié et un budget, pas seulement de l'enthousiasme.",
         "Documenter au fil de l'eau aurait fait gagner du temps."],
        ["Transmettre le dossier au service qui le portera.", "Suivre les indicateurs dans six mois."],
    ),
    Stage.ABANDONED: (
        ["Décision collective d'arrêter le cas ; rédaction de ce que nous en retenons."],
        ["Un échec documenté sert autant qu'une réussite."],
        ["Partager les enseignements avec les autres labos."],
    ),
}
BLOCKERS = [
    "Difficile de libérer du temps dans les plannings des agents.",
    "Nous attendons toujours la validation de la hiérarchie.",
    "Les données du service ne sont pas accessibles facilement.",
    "Le budget du test n'est pas encore confirmé.",
    "Un membre de l'équipe change de poste.",
]
STAGE_ORDER = [Stage.FRAMING, Stage.INQUIRY, Stage.IDEATION, Stage.PROTOTYPING, Stage.TESTING, Stage.DEPLOYMENT]

# (number, host Lab, search start, days, title): dates placed by the rhythm planner too.
GATHERINGS = [
    (1, "paris", datetime.date(2017, 6, 19), 2, "Paris : faire labo ensemble"),
    (2, "strasbourg", datetime.date(2019, 3, 18), 2, "Strasbourg : construire un savoir commun"),
]

# Each day of an InterTransfo: (start, end, title, kind), the kind an AgendaItem.Kind.
GATHERING_DAYS = [
    [
        ((9, 30), (10, 0), "Accueil et tour des Transfo", AgendaItem.Kind.OTHER),
        ((10, 0), (12, 30), "Cas pratiques croisés : chaque labo présente deux cas", AgendaItem.Kind.WORKSHOP),
        ((12, 30), (14, 0), "Déjeuner entre labos", AgendaItem.Kind.BREAK),
        ((14, 0), (16, 30), "Ateliers par thème : accueil, simplification, intégration", AgendaItem.Kind.WORKSHOP),
        ((16, 30), (17, 30), "Ce que nous emportons chez nous", AgendaItem.Kind.RESTITUTION),
    ],
    [
        ((9, 30), (12, 30), "Projets de labo : comparer les préfigurations", AgendaItem.Kind.LAB_DESIGN),
        ((12, 30), (14, 0), "Déjeuner entre labos", AgendaItem.Kind.BREAK),
        ((14, 0), (16, 0), "Construire un savoir commun : fiches et enseignements", AgendaItem.Kind.WORKSHOP),
        ((16, 0), (17, 0), "Restitution et prochaine InterTransfo", AgendaItem.Kind.RESTITUTION),
    ],
]

ARTICLES = [
    {
        "slug": "mulhouse-ouvre-le-bal", "lab": "mulhouse", "date": datetime.date(2016, 6, 20),
        "title": "À Mulhouse, la Transfo ouvre le bal",
        "intro": "Première collectivité à se lancer, la Ville de Mulhouse a accueilli la session de lancement de "
                 "sa Transfo : vingt ambassadeur·rices, trois résident·es et beaucoup de questions.",
        "tags": ("lancement", "ambassadeurs", "accueil des usagers"),
        "authors": "Les résident·es de la Transfo de Mulhouse",
        "body": [
            ("heading", "Vingt agents, vingt métiers"),
            ("paragraph", "Une officière d'état civil, un jardinier, une bibliothécaire, un policier municipal : "
                          "les ambassadeur·rices ont été choisi·es pour représenter la diversité des métiers de la "
                          "Ville. Aucun·e n'avait jamais travaillé avec des designers."),
            ("paragraph", "Trois jours durant, ils et elles ont découvert la démarche, raconté leur quotidien et "
                          "partagé ce qui, selon eux, mériterait d'être réinventé."),
            ("heading", "Premières pistes de cas pratiques"),
            ("paragraph", "L'accueil des usagers à l'état civil, l'intégration des nouveaux agents et les abords "
                          "des écoles sont revenus dans presque tous les groupes. Ils seront cadrés lors des "
                          "prochaines sessions."),
        ],
    },
    {
        "slug": "paris-vis-ma-vie-d-agent", "lab": "paris", "date": datetime.date(2017, 1, 23),
        "title": "Vis ma vie d'agent : une immersion à Paris",
        "intro": "Passer une demi-journée dans le service d'un·e collègue qu'on ne connaissait pas : la recette "
                 "simple d'une session d'immersion, et ce qu'elle a révélé.",
        "tags": ("immersion", "ethnographie", "transversalité"),
        "authors": "Les résident·es de la Transfo de Paris",
        "body": [
            ("heading", "La règle du jeu"),
            ("paragraph", "Par binômes, chaque ambassadeur·rice a accueilli un·e autre dans son service, carnet "
                          "d'observation en main. Consigne : décrire, ne pas juger."),
            ("heading", "Ce que nous avons vu"),
            ("paragraph", "Des courriers que les agents eux-mêmes ne savent pas expliquer, des salles de réunion "
                          "introuvables, des usagers qui reviennent trois fois pour la même démarche. Autant de "
                          "pistes pour les cas pratiques."),
        ],
    },
    {
        "slug": "dunkerque-courriers-clairs", "lab": "dunkerque", "date": datetime.date(2017, 10, 16),
        "title": "Dunkerque prototype des courriers que l'on comprend",
        "intro": "Réécrire un courrier de relance avec les agents qui l'envoient et les usagers qui le reçoivent : "
                 "retour sur un prototype en langage clair.",
        "tags": ("langage clair", "simplification", "prototypage"),
        "authors": "L'équipe du cas « Des courriers que l'on comprend »",
        "body": [
            ("heading", "Partir des appels reçus"),
            ("paragraph", "L'équipe a d'abord écouté les appels des usagers : la moitié portait sur un seul "
                          "courrier de relance, jugé menaçant et incompréhensible."),
            ("heading", "Réécrire à voix haute"),
            ("paragraph", "Le courrier a été réécrit en atelier puis lu à voix haute à des usagers volontaires. "
                          "Trois versions plus tard, les appels ont nettement diminué pendant le test."),
        ],
    },
    {
        "slug": "occitanie-ce-que-l-echec-apprend", "lab": "occitanie", "date": datetime.date(2019, 6, 17),
        "title": "Ce qu'un cas abandonné nous a appris",
        "intro": "En Occitanie, le cas sur la mobilité en zone rurale s'est arrêté avant le test. Un échec ? Un "
                 "résultat, surtout, que l'équipe a tenu à documenter.",
        "tags": ("échec", "mobilité", "enseignements"),
        "authors": "La Transfo d'Occitanie",
        "body": [
            ("heading", "Une enquête solide"),
            ("paragraph", "Des dizaines d'entretiens dans trois territoires ruraux ont montré combien l'absence "
                          "de transport pèse sur l'accès aux soins et à la formation."),
            ("heading", "Pourquoi nous avons arrêté"),
            ("paragraph", "La solution imaginée relevait d'une autre autorité organisatrice, qui ne s'est pas "
                          "associée au projet. Nous aurions dû cartographier les compétences dès le cadrage."),
            ("paragraph", "L'enquête, elle, est publiée sous licence libre : d'autres pourront s'en servir."),
        ],
    },
    {
        "slug": "intertransfo-strasbourg", "lab": "strasbourg", "date": datetime.date(2019, 4, 8),
        "title": "InterTransfo à Strasbourg : construire un savoir commun",
        "intro": "Résident·es et ambassadeur·rices des Transfo en cours se sont retrouvé·es à Strasbourg pour "
                 "comparer leurs cas et leurs projets de labo.",
        "tags": ("intertransfo", "préfiguration", "transversalité"),
        "authors": "La coordination du programme",
        "body": [
            ("heading", "Des cas qui se ressemblent"),
            ("paragraph", "D'une collectivité à l'autre, les mêmes questions reviennent : l'accueil des usagers, "
                          "la simplification des démarches, l'intégration des nouveaux agents. Les comparer fait "
                          "gagner du temps à tout le monde."),
            ("heading", "Quel labo après la Transfo ?"),
            ("paragraph", "Les labos en préfiguration ont présenté leurs scénarios : une équipe dédiée, un réseau "
                          "d'agents formés, ou les deux. Aucun modèle unique, mais des critères communs."),
        ],
    },
]

FAQ_SLUG = "questions-frequentes"
FAQ_PATH = Path("seed") / "transfo-faq.fr.txt"

# Session reports: (Lab, session number) of a held session; sessions #0 are public in the demo.
SESSION_REPORTS = [
    {
        "slug": "mulhouse-session-0-lancement", "lab": "mulhouse", "session": 0,
        "title": "Mulhouse, session n° 0 : faire connaissance",
        "intro": "Trois jours pour se rencontrer, découvrir la démarche et dresser la liste des irritants du "
                 "quotidien qui deviendront des cas pratiques.",
        "tags": ("lancement", "ambassadeurs", "compte rendu"),
        "authors": "Les résident·es de la Transfo de Mulhouse",
        "body": [
            ("heading", "Jour 1 : se présenter par son métier"),
            ("paragraph", "Chaque ambassadeur·rice a apporté un objet de son travail quotidien : un tampon, un "
                          "gilet, un registre. De quoi parler du métier plutôt que de l'organigramme."),
            ("heading", "Jour 2 : les irritants"),
            ("paragraph", "En petits groupes, les agents ont listé ce qui freine leur travail ou celui des "
                          "usagers. Une quarantaine d'irritants, regroupés en six grands thèmes."),
            ("heading", "Jour 3 : choisir"),
            ("paragraph", "Vote, débat, puis un premier cadrage de cinq cas pratiques avec leurs services "
                          "commanditaires."),
        ],
    },
    {
        "slug": "dunkerque-session-0-lancement", "lab": "dunkerque", "session": 0,
        "title": "Dunkerque, session n° 0 : une Transfo pour l'agglomération",
        "intro": "À Dunkerque, la première session a réuni agents de la communauté urbaine et des communes : "
                 "un labo intercommunal se prépare dès le premier jour.",
        "tags": ("lancement", "intercommunalité", "compte rendu"),
        "authors": "Les résident·es de la Transfo de Dunkerque",
        "body": [
            ("heading", "Deux administrations, un même usager"),
            ("paragraph", "Les ambassadeur·rices ont dessiné le parcours d'un habitant qui déménage : sept "
                          "guichets, trois collectivités, aucun fil conducteur."),
            ("paragraph", "Ce parcours a servi de fil rouge pour choisir les premiers cas pratiques."),
        ],
    },
]

# Public stories of cases: (Lab, case key). The first case of every demo Lab is public, the second
# is shared with the programme only: its story is published, but the case itself is not named.
CASE_STORIES = [
    {
        "slug": "recit-des-courriers-que-l-on-comprend", "lab": "dunkerque", "case": "courriers-langage-clair",
        "title": "Récit : des courriers que l'on comprend",
        "intro": "Du standard saturé à un courrier réécrit avec les usagers : le parcours d'un cas pratique "
                 "dunkerquois, étape par étape.",
        "tags": ("langage clair", "simplification", "récit"),
        "authors": "L'équipe du cas « Des courriers que l'on comprend »",
        "body": [
            ("heading", "Ce que nous avons fait"),
            ("paragraph", "Écoute des appels, atelier de réécriture, lecture à voix haute avec des usagers "
                          "volontaires, puis test sur une vraie campagne de relance."),
        ],
    },
    {
        "slug": "recit-se-deplacer-sans-voiture", "lab": "occitanie", "case": "transport-rural",
        "title": "Récit : se déplacer sans voiture en zone rurale",
        "intro": "Un cas abandonné avant son test, et tout ce qu'il nous a appris sur les compétences "
                 "partagées entre collectivités.",
        "tags": ("mobilité", "échec", "récit"),
        "authors": "La Transfo d'Occitanie",
        "body": [
            ("heading", "Une enquête qui reste utile"),
            ("paragraph", "Les entretiens menés dans trois territoires ruraux sont publiés : d'autres pourront "
                          "s'en servir pour leurs propres projets de mobilité."),
        ],
    },
]

# « Code source » sheets: each point cites evidence as (Lab, session number) and (Lab, case key).
FICHES = [
    {
        "slug": "fiche-impliquer-les-agents-des-le-cadrage", "lab": "mulhouse",
        "title": "Fiche : impliquer les agents dès le cadrage",
        "intro": "Ce que la Transfo de Mulhouse a testé pour que les cas pratiques partent du terrain, et ce "
                 "qu'elle en retient.",
        "tags": ("ambassadeurs", "cadrage", "fiche"),
        "authors": "Les résident·es de la Transfo de Mulhouse",
        "hypotheses": [
            ("Les agents de terrain connaissent les irritants des usagers mieux que l'organigramme.",
             [("mulhouse", 0)], []),
            ("Un cas porté par un service commanditaire a plus de chances d'être déployé.", [],
             [("mulhouse", "accueil-etat-civil")]),
        ],
        "observations": [
            ("Les irritants cités le premier jour recoupent largement les motifs d'appel des usagers.",
             [("mulhouse", 0), ("mulhouse", 1)], []),
            ("Les cas sans commanditaire identifié se sont arrêtés au cadrage.", [],
             [("mulhouse", "integration-nouveaux-agents")]),
        ],
        "lessons": [
            ("Faire nommer un commanditaire avant la deuxième session.", [], [("mulhouse", "accueil-etat-civil")]),
            ("Garder une trace publique des irritants, même de ceux qui ne deviennent pas des cas.", [], []),
        ],
    },
]

# The public page of every Lab (its Transfo), under the Lab index.
LAB_PAGE_AUTHORS = "La coordination du programme"

# The seed FAQ asks four questions it leaves unanswered. Their answers here are drawn from the rest
# of the same text (the ambassadors, the residents, the sessions, the cases), so that no question of
# the demo's FAQ stays blank.
FAQ_ANSWERS_FROM_THE_TEXT = {
    "Comment impliquer les agents publics?": [
        "En leur confiant la démarche de bout en bout : dans chaque collectivité, une vingtaine d'agents "
        "volontaires, représentatifs de la diversité des métiers de l'administration, sont mandatés comme "
        "ambassadeurs. Ils sont présents à chaque session, conduisent les cas pratiques et participent à "
        "l'élaboration du laboratoire d'innovation.",
    ],
    "Comment intégrer des disciplines diverses?": [
        "La démarche est animée par une équipe pluridisciplinaire de trois à quatre résidents (design, "
        "sciences sociales, architecture…), qui travaille avec des ambassadeurs venus de toutes les "
        "directions de la collectivité : chaque cas pratique croise ainsi les regards des métiers et des "
        "disciplines.",
    ],
    "Comment bien rythmer la démarche?": [
        "Par des sessions de travail de deux à trois jours consécutifs chaque mois, pendant 16 à 18 mois, "
        "au siège de la collectivité ou sur les sites des cas traités ; des rencontres croisées, les "
        "InterTransfo, réunissent régulièrement tous les labos du programme.",
    ],
    "Comment travailler à partir de cas?": [
        "Les cas pratiques partent de vrais problèmes de la collectivité. Menés pendant les sessions par "
        "les résidents et les ambassadeurs, ils servent de banc d'essai pour le futur laboratoire : on y "
        "enquête, on prototype et on teste, et tout est documenté ouvertement.",
    ],
}
