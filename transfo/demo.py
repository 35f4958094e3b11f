"""Demo data: the La Transfo programme 2016–2020, its seven Labs, their people, sessions and cases.

Every person is fictional. The load is deterministic (seeded random generators, fixed dates, never
today's date in the content) and idempotent: each row is found by its natural key (slug, e-mail,
(lab, number), …) and only what is missing is created, so running it twice leaves the same rows.
Pages already in Wagtail are left as they are: an editor may have touched them.
"""
import datetime
import random
import re
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from ambassadors.models import Ambassador
from cases.models import Case, ProgressEntry, Stage, StageChange
from docs.models import ArticlePage, DocumentationIndexPage, FaqPage, HomePage
from programmes.models import Collectivite, Coordination, Lab, LabMembership, Licence, Programme, Visibility
from sessions.models import AgendaItem, Attendance, EventStatus, Gathering, Session
from sessions.planning import propose_rhythm

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


@dataclass
class LabPlan:
    """What the loader decided for one Lab, passed between its steps.

    While loading, its model instances also carry a few ``demo_*`` attributes (an ambassador's
    attendance rate, the cases a session works on, a case's stage history…) that are never saved.
    """

    spec: LabSpec
    lab: Lab
    rng: random.Random
    residents: list = field(default_factory=list)
    host: object = None
    ambassadors: list = field(default_factory=list)
    network: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    held: int = 0


class NameBook:
    """Fictional people: a first and a last name drawn without repetition, and their e-mail."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.used = set()

    def person(self):
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            email = f"{slugify(first)}.{slugify(last)}@{EMAIL_DOMAIN}"
            if email not in self.used:
                self.used.add(email)
                return first, last, email


class Accounts:
    """Demo accounts sharing one password, hashed once: hashing is slow on purpose.

    A new load puts the demo password back on an account whose password was changed, so the
    printed logins always work.
    """

    def __init__(self):
        self.password_hash = None
        self.verified_hashes = {}

    def _hash_for(self, user):
        if user.password in self.verified_hashes:
            ok = self.verified_hashes[user.password]
        else:
            ok = self.verified_hashes[user.password] = check_password(DEMO_PASSWORD, user.password)
        if ok:
            return user.password
        if self.password_hash is None:
            self.password_hash = make_password(DEMO_PASSWORD)
            self.verified_hashes[self.password_hash] = True
        return self.password_hash

    def get(self, *, email, first_name, last_name, superuser=False, groups=()):
        User = get_user_model()
        user = User.objects.filter(username=email).first() or User(username=email, password="")
        values = {
            "email": email, "first_name": first_name, "last_name": last_name, "is_active": True,
            "is_staff": superuser, "is_superuser": superuser,
        }
        password = self._hash_for(user)
        changed = user.pk is None or user.password != password or any(
            getattr(user, name) != value for name, value in values.items()
        )
        if changed:
            for name, value in values.items():
                setattr(user, name, value)
            user.password = password
            user.full_clean()
            user.save()
        # allauth lets nobody in without a verified primary address (mandatory verification).
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        elif not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save()
        for group in groups:
            user.groups.add(group)
        return user


def load_demo(*, stdout=None) -> dict:
    """Load the La Transfo programme 2016–2020 and return its demo logins.

    Returns ``{"password": ..., "logins": [{"role", "email", "lab"}], "counts": {...}}``; with
    ``stdout`` (a file or a command's output wrapper) the logins and counts are also printed.
    """
    started = time.monotonic()
    with transaction.atomic():
        logins = _load_everything()
    counts = count_rows()
    result = {"password": DEMO_PASSWORD, "logins": logins, "counts": counts}
    if stdout is not None:
        _print_summary(stdout, result, time.monotonic() - started)
    return result


def count_rows() -> dict:
    """Rows per model of the demo's reach, to compare two loads or report what was loaded."""
    tracked = [
        Programme, Coordination, Collectivite, Lab, LabMembership, Ambassador, Session, AgendaItem, Attendance,
        Gathering, Case, StageChange, ProgressEntry, Page, ArticlePage, FaqPage, get_user_model(), EmailAddress,
        apps.get_model("taggit", "Tag"), apps.get_model("taggit", "TaggedItem"), apps.get_model("docs", "ArticleTag"),
        apps.get_model("wagtailcore", "Revision"), Session.cases.through, Case.team.through,
    ]
    return {model._meta.label: model.objects.count() for model in tracked}


def _load_everything():
    names = NameBook(f"{SEED}:names")
    accounts = Accounts()
    groups = {group.name: group for group in Group.objects.filter(name__in=["Editors", "Moderators"])}
    editors = [groups["Editors"]] if "Editors" in groups else []
    moderators = [groups["Moderators"]] if "Moderators" in groups else []

    admin = accounts.get(email=f"admin@{EMAIL_DOMAIN}", first_name="Alex", last_name="Admin", superuser=True)
    coordinator = accounts.get(
        email=f"coordination@{EMAIL_DOMAIN}", first_name="Claire", last_name="Dubreuil", groups=moderators
    )
    logins = [
        {"role": _("Administration (superutilisateur·rice)"), "email": admin.email, "lab": None},
        {"role": _("Coordination du programme"), "email": coordinator.email, "lab": None},
    ]

    programme, _created = _upsert(Programme, {"slug": PROGRAMME["slug"]}, {
        key: value for key, value in PROGRAMME.items() if key != "slug"
    })
    Coordination.objects.get_or_create(programme=programme, user=coordinator)

    collectivites = {}
    for slug, name, kind, departement, website, seat_name, street in COLLECTIVITES:
        collectivites[slug], _created = _upsert(Collectivite, {"slug": slug}, {
            "name": name, "kind": kind, "departement": departement, "website": website,
            "seat_address": f"{seat_name}\n{street}",
        })

    plans = []
    for spec in LABS:
        lab, _created = _upsert(Lab, {"slug": f"transfo-{spec.collectivite}"}, {
            "programme": programme, "collectivite": collectivites[spec.collectivite], "name": spec.name,
            "start_date": spec.start, "end_date": spec.end, "description": spec.description,
            "phase": Lab.Phase.CLOSED if spec.closed else Lab.Phase.RUNNING,
        })
        plan = LabPlan(spec=spec, lab=lab, rng=random.Random(f"{SEED}:{spec.collectivite}"))
        _load_team(plan, names, accounts, editors)
        _load_sessions(plan)
        _load_cases(plan)
        _link_sessions_and_cases(plan)
        _load_agenda(plan)
        _load_attendance(plan)
        _load_journal(plan)
        plans.append(plan)
        logins.extend(plan.logins)

    _load_gatherings(programme, plans)
    _load_pages({plan.spec.collectivite: plan.lab for plan in plans})
    return logins


def _load_team(plan, names, accounts, editors):
    spec, lab, rng = plan.spec, plan.lab, plan.rng
    disciplines = ["designer de services", rng.choice(["sociologue", "ethnologue", "politiste"])]
    disciplines += rng.sample([d for d in DISCIPLINES if d not in disciplines], spec.residents - 2)
    for discipline in disciplines:
        first, last, email = names.person()
        user = accounts.get(email=email, first_name=first, last_name=last, groups=editors)
        _upsert(LabMembership, {"lab": lab, "user": user}, {
            "role": LabMembership.Role.RESIDENT, "discipline": discipline,
        })
        plan.residents.append(user)
    first, last, email = names.person()
    plan.host = accounts.get(email=email, first_name=first, last_name=last, groups=editors)
    _upsert(LabMembership, {"lab": lab, "user": plan.host}, {
        "role": LabMembership.Role.HOST, "discipline": rng.choice(HOST_DISCIPLINES),
    })

    local = METIERS_REGION if lab.collectivite.kind == Collectivite.Kind.REGION else METIERS_LOCAL
    pool = rng.sample(local, 11) + rng.sample(METIERS_COMMON, 14)
    for index, (metier, direction) in enumerate(pool):
        circle = Ambassador.Circle.AMBASSADOR if index < 20 else Ambassador.Circle.NETWORK
        first, last, email = names.person()
        consent = rng.random() < 0.6
        # The first three ambassadors have accepted their invitation: they can log in.
        user = accounts.get(email=email, first_name=first, last_name=last) if index < 3 else None
        ambassador, _created = _upsert(Ambassador, {"lab": lab, "email": email}, {
            "user": user, "circle": circle, "first_name": first, "last_name": last, "metier": metier,
            "direction": direction, "public_consent": consent, "joined_on": spec.start, "is_active": True,
        })
        # How often each person manages to come: from the faithful to the overbooked.
        low, high = (0.55, 0.98) if circle == Ambassador.Circle.AMBASSADOR else (0.3, 0.7)
        ambassador.demo_rate = rng.uniform(low, high)
        (plan.ambassadors if circle == Ambassador.Circle.AMBASSADOR else plan.network).append(ambassador)

    plan.logins += [
        {"role": f"{LabMembership.Role.RESIDENT.label} — {lab.name}", "email": plan.residents[0].email,
         "lab": lab.slug},
        {"role": f"{LabMembership.Role.HOST.label} — {lab.name}", "email": plan.host.email, "lab": lab.slug},
        {"role": f"{Ambassador.Circle.AMBASSADOR.label} — {lab.name}", "email": plan.ambassadors[0].email,
         "lab": lab.slug},
    ]


def _load_sessions(plan):
    spec, lab = plan.spec, plan.lab
    collectivite = lab.collectivite
    seat_name, _newline, street = collectivite.seat_address.partition("\n")
    proposals = [
        (first, last) for first, last in propose_rhythm(
            start=spec.rhythm_start, session_count=18, days_per_session=spec.days_per_session,
            holiday_subdivision=collectivite.holiday_subdivision,
        ) if last <= spec.end
    ]
    count = len(proposals)
    if not 16 <= count <= 18:
        raise ValueError(f"{lab.name}: {count} sessions proposed, 16 to 18 expected.")
    held = count if spec.closed else round(count * 2 / 3)
    for number, (first_day, last_day) in enumerate(proposals):
        title, objectives, morning, afternoon = CLOSING_THEME if number == count - 1 else SESSION_THEMES[number]
        if number < held:
            status = EventStatus.HELD
        elif number < held + 2:
            status = EventStatus.ANNOUNCED
        else:
            status = EventStatus.DRAFT
        if number in (0, count - 1):
            visibility = Visibility.PUBLIC
        elif number % 5 == 2:
            visibility = Visibility.PROGRAMME
        else:
            visibility = Visibility.LAB
        session, created = _upsert(Session, {"lab": lab, "number": number}, {
            "title": title, "start_date": first_day, "end_date": last_day, "place_name": seat_name,
            "place_address": street, "status": status, "objectives": objectives, "visibility": visibility,
        })
        if created:
            _backdate(session, first_day - datetime.timedelta(days=40))
        session.demo_kinds = (morning, afternoon)
        plan.sessions.append(session)
    plan.held = held


def _load_cases(plan):
    """Cases, their team, tags and stage history, dated by the sessions that moved them on."""
    spec, lab, rng = plan.spec, plan.lab, plan.rng
    last_held = plan.held - 1
    intro_sessions = sorted(rng.choices(range(2, last_held // 2 + 2), k=len(spec.cases)))
    # Ambassadors with an account each get at least one case, so their login shows something.
    with_account = [a for a in plan.ambassadors if a.user_id]
    others = [a for a in plan.ambassadors if not a.user_id]
    for index, key in enumerate(spec.cases):
        case_spec = CASES[key]
        start = intro_sessions[index]
        available = last_held - start
        if key == spec.abandoned:
            path = STAGE_ORDER[: rng.randint(2, 3)] + [Stage.ABANDONED]
            span = min(available, 2 * (len(path) - 1))
        else:
            goal = rng.choice([4, 5, 5]) if spec.closed else rng.randint(2, 4)
            # A running Lab's cases are still moving: their last change is not at the last session.
            longest = available if spec.closed else available - 1
            steps = max(1, min(goal, longest))
            path = STAGE_ORDER[: steps + 1]
            span = rng.randint(max(steps, longest - 3), longest)
        steps = len(path) - 1
        # Evenly spread, one change per session at most (the spacing is at least one session).
        change_sessions = [start + round(step * span / steps) for step in range(1, steps + 1)]
        stage = path[-1]
        visibility = [Visibility.PUBLIC, Visibility.PROGRAMME][index] if index < 2 else rng.choice(list(Visibility))
        case, created = _upsert(Case, {"lab": lab, "slug": key}, {
            "title": case_spec.title, "problem_statement": case_spec.problem, "sponsoring_service": case_spec.service,
            "stage": stage, "lessons": case_spec.lessons if stage == Stage.ABANDONED else "",
            "visibility": visibility,
        })
        if created:
            _backdate(case, _at(plan.sessions[start].start_date, 11))
        case.tags.set(list(case_spec.tags))
        team = [with_account[index % len(with_account)]] if index < len(with_account) * 2 else []
        team += rng.sample([a for a in others if a not in team], rng.randint(3, 6) - len(team))
        case.team.set(team)

        history = [("", path[0], _at(plan.sessions[start].start_date, 11))]
        for from_stage, to_stage, number in zip(path, path[1:], change_sessions):
            history.append((from_stage, to_stage, _at(plan.sessions[number].end_date, 16, 30)))
        changes = [
            StageChange(case=case, from_stage=from_stage, to_stage=to_stage, changed_at=changed_at,
                        changed_by=rng.choice(plan.residents + [plan.host]))
            for from_stage, to_stage, changed_at in history
        ]
        existing = set(case.stage_changes.values_list("from_stage", "to_stage"))
        StageChange.objects.bulk_create([c for c in changes if (c.from_stage, c.to_stage) not in existing])
        case.demo_history = history
        case.demo_active = (start, change_sessions[-1] if (spec.closed or stage == Stage.ABANDONED) else last_held)
        case.demo_team = team
        plan.cases.append(case)


def _link_sessions_and_cases(plan):
    rng = plan.rng
    for session in plan.sessions:
        if session.status == EventStatus.HELD:
            active = [c for c in plan.cases if c.demo_active[0] <= session.number <= c.demo_active[1]]
        else:
            active = [c for c in plan.cases if c.stage not in (Stage.ABANDONED, Stage.DEPLOYMENT)]
        worked = sorted(rng.sample(active, min(len(active), rng.randint(1, 3))), key=lambda c: c.slug) if active else []
        session.demo_cases = worked
        session.cases.set(worked)


def _load_agenda(plan):
    """Each day: two long blocks, plus some of a welcome, a lunch and a closing restitution."""
    rng = plan.rng
    facilitators = [user.get_full_name() for user in plan.residents] + [plan.host.get_full_name()]
    existing = set(
        AgendaItem.objects.filter(session__lab=plan.lab).values_list("session_id", "day", "start_time")
    )
    items = []
    for session in plan.sessions:
        morning_kind, afternoon_kind = session.demo_kinds
        for day_index, day in enumerate(session.days):
            optional = rng.sample(["welcome", "lunch", "closing"], rng.randint(1, 3))
            kinds = [morning_kind, afternoon_kind] if day_index % 2 == 0 else [afternoon_kind, morning_kind]
            if day_index == session.day_count - 1 and "closing" not in optional:
                optional.append("closing")
            blocks = []
            if "welcome" in optional:
                blocks.append(((9, 0), (9, 30), "Accueil et tour de météo", AgendaItem.Kind.OTHER))
            blocks.append(((9, 30), (12, 30), None, kinds[0]))
            if "lunch" in optional:
                blocks.append(((12, 30), (13, 45), "Déjeuner avec les agents du service", AgendaItem.Kind.BREAK))
            blocks.append(((14, 0), (16, 15), None, kinds[1]))
            if "closing" in optional:
                blocks.append(((16, 30), (17, 30), None, AgendaItem.Kind.RESTITUTION))
            for slot, (start, end, title, kind) in enumerate(blocks):
                case = None
                if kind in CASE_KINDS and session.demo_cases:
                    case = session.demo_cases[(day_index + slot) % len(session.demo_cases)]
                if title is None:
                    title = rng.choice(KIND_TITLES[kind])
                    if "{case}" in title and case is None:
                        kind, title = AgendaItem.Kind.WORKSHOP, "Atelier créatif"
                    title = title.format(case=case.title if case else "")
                item = AgendaItem(
                    session=session, day=day, start_time=datetime.time(*start), end_time=datetime.time(*end),
                    title=title, kind=kind, description=KIND_DESCRIPTIONS.get(kind, ""), case=case,
                    facilitators=" et ".join(rng.sample(facilitators, 2)) if kind in KIND_DESCRIPTIONS else "",
                )
                # Draw every value before looking at the database: a second load draws the same.
                if (session.pk, day, item.start_time) not in existing:
                    items.append(item)
    AgendaItem.objects.bulk_create(items, batch_size=500)


def _load_attendance(plan):
    """Answers per person and per day; held sessions also say who came, and the minutes count them."""
    rng = plan.rng
    existing = set(Attendance.objects.filter(session__lab=plan.lab).values_list("session_id", "ambassador_id", "day"))
    rows = []
    for session in plan.sessions:
        if session.status == EventStatus.DRAFT:
            continue  # Invitations go out when a session is announced.
        invited = list(plan.ambassadors)
        # The network is invited to the opening, the closing and every fourth session.
        if session.number % 4 == 0 or session.number == len(plan.sessions) - 1:
            invited += plan.network
        present = {day: 0 for day in session.days}
        for ambassador in invited:
            comes = rng.random() < ambassador.demo_rate
            for day in session.days:
                if session.status == EventStatus.HELD:
                    attended = comes and rng.random() < 0.92
                    # Some who came had not answered; some who said yes did not come.
                    if attended:
                        response = rng.choices(["yes", "maybe"], weights=[90, 10])[0]
                    else:
                        response = rng.choices(["no", "yes", "pending"], weights=[70, 15, 15])[0]
                    if attended and ambassador.circle == Ambassador.Circle.AMBASSADOR:
                        present[day] += 1
                else:
                    attended = None
                    response = rng.choices(list(Attendance.Response), weights=[25, 55, 10, 10])[0]
                answered_at = None
                if response != Attendance.Response.PENDING:
                    answered_at = _at(session.start_date - datetime.timedelta(days=rng.randint(2, 20)),
                                      rng.randint(8, 18), rng.choice([0, 15, 30, 45]))
                if (session.pk, ambassador.pk, day) not in existing:
                    rows.append(Attendance(session=session, ambassador=ambassador, day=day, response=response,
                                           attended=attended, answered_at=answered_at))
        if session.status == EventStatus.HELD:
            minutes = _minutes(session, present, len(plan.ambassadors), rng)
            if session.minutes != minutes:
                Session.objects.filter(pk=session.pk).update(minutes=minutes)
                session.minutes = minutes
    Attendance.objects.bulk_create(rows, batch_size=1000)


def _minutes(session, present, ambassador_count, rng):
    days = list(present.values())
    lines = [
        f"Session #{session.number} « {session.title} » ({session.day_count} jours, {session.place_name}).",
        f"Présences : {days[0]} ambassadeur·rices sur {ambassador_count} le premier jour, "
        f"{days[-1]} le dernier.",
    ]
    if session.demo_cases:
        lines.append("Cas travaillés : " + ", ".join(f"« {case.title} »" for case in session.demo_cases) + ".")
    lines.append("À retenir : " + rng.choice([
        "les équipes avancent à des rythmes différents, et c'est normal.",
        "les usagers rencontrés ont bousculé plusieurs idées reçues.",
        "la direction générale demande un point d'étape à la prochaine session.",
        "le travail entre deux sessions repose sur trop peu de personnes : à répartir.",
        "les prototypes les plus simples ont suscité le plus de réactions.",
    ]))
    lines.append("Pour la prochaine fois : " + rng.choice([
        "chaque équipe prépare une restitution de cinq minutes.",
        "rencontrer au moins deux usagers par cas.",
        "inviter le réseau des relais à la restitution.",
        "mettre à jour le journal de bord de chaque cas.",
    ]))
    return "\n\n".join(lines)


def _load_journal(plan):
    """3–10 entries per case: on session days (tied to the session) and between sessions."""
    rng = plan.rng
    sessions = plan.sessions
    residents = plan.residents + [plan.host]
    existing = set(ProgressEntry.objects.filter(case__lab=plan.lab).values_list("case_id", "entry_date"))
    entries = []
    for case in plan.cases:
        first, last = case.demo_active
        candidates = []
        for number in range(first, last + 1):
            session = sessions[number]
            candidates.append((session.end_date, session))
            if number < last:
                between = session.end_date + datetime.timedelta(days=rng.randint(6, 16))
                if between < sessions[number + 1].start_date:
                    candidates.append((between, None))
        chosen = sorted(rng.sample(candidates, min(len(candidates), rng.randint(3, 10))), key=lambda c: c[0])
        # The journal of an abandoned case ends with the decision to stop.
        if case.stage == Stage.ABANDONED and chosen[-1][0] != candidates[-1][0]:
            chosen[-1] = candidates[-1]
        authors = [a.user for a in case.demo_team if a.user_id] + residents
        for entry_date, session in chosen:
            stage = _stage_on(case, entry_date)
            done, learnt, next_steps = ENTRY_TEXTS[stage]
            blockers = rng.choice(BLOCKERS) if stage != Stage.ABANDONED and rng.random() < 0.35 else ""
            entry = ProgressEntry(
                case=case, author=rng.choice(authors), entry_date=entry_date, session=session,
                done=rng.choice(done).format(topic=CASES[case.slug].topic), learnt=rng.choice(learnt),
                next_steps=rng.choice(next_steps), blockers=blockers,
            )
            if (case.pk, entry_date) not in existing:
                entries.append(entry)
    created = ProgressEntry.objects.bulk_create(entries, batch_size=500)
    for entry in created:
        entry.created_at = entry.updated_at = _at(entry.entry_date, 18)
    ProgressEntry.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=500)


def _stage_on(case, day):
    stage = case.demo_history[0][1]
    for _from_stage, to_stage, changed_at in case.demo_history:
        if changed_at.date() <= day:
            stage = to_stage
    return stage


def _load_gatherings(programme, plans):
    """Two InterTransfo, placed by the rhythm planner on days when no Lab holds a session."""
    by_slug = {plan.spec.collectivite: plan for plan in plans}
    taken = [(s.start_date, s.end_date) for plan in plans for s in plan.sessions]
    for number, host_slug, search_from, days, title in GATHERINGS:
        host = by_slug[host_slug].lab
        while True:
            ((first_day, last_day),) = propose_rhythm(
                start=search_from, session_count=1, days_per_session=days,
                holiday_subdivision=host.collectivite.holiday_subdivision,
            )
            if not any(start <= last_day and first_day <= end for start, end in taken):
                break
            search_from = last_day + datetime.timedelta(days=1)
        seat_name, _newline, street = host.collectivite.seat_address.partition("\n")
        _upsert(Gathering, {"programme": programme, "number": number}, {
            "host_lab": host, "title": title, "start_date": first_day, "end_date": last_day,
            "place_name": seat_name, "place_address": street, "status": EventStatus.HELD,
            "objectives": "Croiser les cas pratiques des Transfo en cours, comparer les projets de labo et "
                          "construire un savoir commun entre collectivités.",
            "minutes": "Chaque Transfo a présenté deux cas pratiques ; des cas proches (accueil des usagers, "
                       "simplification, intégration des agents) ont été rapprochés pour partager enquêtes et "
                       "prototypes. Prochaine InterTransfo à organiser par la coordination.",
        })


def _load_pages(labs):
    """A few articles and the FAQ under the documentation index, created once and published."""
    _home, index = ensure_site_pages()
    for article in ARTICLES:
        if ArticlePage.objects.child_of(index).filter(slug=article["slug"]).exists():
            continue
        page = ArticlePage(
            title=article["title"], slug=article["slug"], date=article["date"], intro=article["intro"],
            lab=labs[article["lab"]], authors=article["authors"], licence=Licence.CC_BY_SA_4,
            body=[
                _block(article["slug"], position, kind, text) for position, (kind, text) in enumerate(article["body"])
            ],
            first_published_at=_at(article["date"], 10),
        )
        page.tags.add(*article["tags"])
        _publish(index, page)

    if not FaqPage.objects.child_of(index).filter(slug=FAQ_SLUG).exists():
        questions = parse_faq((Path(apps.get_app_config("docs").path) / FAQ_PATH).read_text(encoding="utf-8"))
        page = FaqPage(
            title="Questions fréquentes", slug=FAQ_SLUG, authors="La 27e Région", licence=Licence.CC_BY_SA_4,
            intro="<p>Les questions que l'on nous pose le plus souvent sur La Transfo, tirées de la documentation "
                  "d'origine du programme.</p>",
            questions=[
                {
                    "type": "question",
                    "id": str(uuid.uuid5(BLOCK_NAMESPACE, f"{FAQ_SLUG}:{position}")),
                    "value": {"question": question, "answer": "".join(f"<p>{escape(p)}</p>" for p in paragraphs)},
                }
                for position, (question, paragraphs) in enumerate(questions)
            ],
            first_published_at=_at(datetime.date(2020, 12, 1), 10),
        )
        _publish(index, page)


def ensure_site_pages():
    """The home page and the documentation index, created like the data migration does if missing."""
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Transfo", slug="accueil",
            intro="<p>Transfo accompagne les collectivités qui montent leur propre laboratoire d'innovation "
                  "publique, et documente ouvertement ce qu'elles apprennent.</p>",
        )
        _publish(Page.get_first_root_node(), home)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Transfo"
            )
        else:
            site.root_page = home
            site.save()
    index = DocumentationIndexPage.objects.first()
    if index is None:
        index = DocumentationIndexPage(
            title="Documentation", slug="documentation",
            intro="<p>Tout ce que le programme apprend, sous licence libre.</p>",
        )
        _publish(home, index)
    return home, index


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _block(page_slug, position, kind, text):
    block_id = str(uuid.uuid5(BLOCK_NAMESPACE, f"{page_slug}:{position}"))
    if kind == "heading":
        return {"type": "heading", "id": block_id, "value": {"text": text, "level": "h2"}}
    return {"type": "paragraph", "id": block_id, "value": f"<p>{escape(text)}</p>"}


def parse_faq(text):
    """Questions and their answers from the seed FAQ: ``[(question, [paragraph, ...]), ...]``.

    A line ending with "?" is a question; the lines after it, up to the next question, are its
    answer (possibly none). The seed is hard-wrapped, so lines are joined with spaces; a line that
    ends a sentence well before the wrapping width ends a paragraph.
    """
    questions = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if line.endswith("?"):
            questions.append((line, []))
        elif questions:
            questions[-1][1].append(line)
    parsed = []
    for question, lines in questions:
        width = max((len(line) for line in lines), default=0)
        paragraphs, current = [], []
        for line in lines:
            current.append(line)
            if line.rstrip("”»\"' ").endswith((".", "!", "…", ":")) and len(line) < 0.75 * width:
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
        parsed.append((question, [re.sub(r"\s+([,.])", r"\1", " ".join(p)) for p in paragraphs]))
    return parsed


def _upsert(model, lookup, values):
    """Find a row by its natural key and bring it to ``values``, writing only what differs.

    Unchanged rows are not saved again, so a second load leaves even their timestamps alone.
    """
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    changed = created
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        current = getattr(obj, model_field.attname)
        wanted = value.pk if isinstance(value, models.Model) else value
        if created or current != wanted:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    return obj, created


def _backdate(obj, moment):
    """Give a freshly created row the creation date it would have had back then."""
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
        moment = _at(moment, 9)
    type(obj).objects.filter(pk=obj.pk).update(created_at=moment, updated_at=moment)
    obj.created_at = obj.updated_at = moment


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def _print_summary(stdout, result, seconds):
    counts = result["counts"]
    lines = [_("Données de démonstration chargées en %(seconds).1f s.") % {"seconds": seconds}]
    lines.append(
        _("%(labs)d labos, %(ambassadors)d ambassadeur·rices et relais, %(sessions)d sessions, "
          "%(cases)d cas pratiques, %(entries)d entrées de journal, %(attendances)d présences.")
        % {
            "labs": counts["programmes.Lab"], "ambassadors": counts["ambassadors.Ambassador"],
            "sessions": counts["lab_sessions.Session"], "cases": counts["cases.Case"],
            "entries": counts["cases.ProgressEntry"], "attendances": counts["lab_sessions.Attendance"],
        }
    )
    lines.append("")
    lines.append(_("Comptes de démonstration (même mot de passe pour tous) :"))
    rows = [(_("Rôle"), _("E-mail"), _("Mot de passe"))]
    rows += [(login["role"], login["email"], result["password"]) for login in result["logins"]]
    role_width, email_width = (max(len(row[column]) for row in rows) for column in (0, 1))
    lines += [f"  {role:<{role_width}}  {email:<{email_width}}  {password}" for role, email, password in rows]
    # Works for a command's output wrapper and for a plain file alike.
    stdout.write("\n".join(lines) + "\n")
