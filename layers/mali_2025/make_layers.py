"""Write the shipped Mali 2025 layer set from the tables below.

Run from the project root:  .venv/bin/python layers/mali_2025/make_layers.py

Every place, road, crossing and incident below is a public fact with its
source; the GeoJSON and CSV files beside this script are generated from these
tables and nothing else (no network, no other data). See README.md here for how
the lines were made and how precise they are.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"

#: The corridors' countries (and the Gambia, which the Senegalese network crosses): the study area.
STUDY_AREA = ("SEN", "GMB", "MRT", "MLI", "GIN", "CIV", "BFA")
SIMPLIFY_M = 50.0        # Douglas-Peucker tolerance of the shipped road lines
TAG_BUFFER_M = 2_000.0   # a network line takes the ref/name of a sourced line it runs within this of...
TAG_SHARE = 0.5          # ...over at least this share of its length
GAP_BUFFER_M = 15_000.0  # a sourced line's stretch farther than this from every network road...
GAP_MIN_KM = 10.0        # ...and at least this long ships as drawn (a road the network lacks)
JOIN_KM = 25.0           # such a stretch is joined to the nearest network line end within this
NETWORK_SOURCE = ("OpenStreetMap road alignment via OSRM routes between African cities (Krantz, Optimal "
                  "Investments in Africa's Road Network, github.com/SebKrantz/OptimalAfricanRoads, "
                  "net_smoothed.qs at a3cfb2026e48f5ad405f60b27f5f16b72d1a4ea5), seg_id {}")

OSM = "https://www.openstreetmap.org/node/{}"
NE = "Natural Earth 1:10m populated places v4.0 (naturalearthdata.com)"
WP = "https://en.wikipedia.org/wiki/{}"
WP_CITIES = "https://en.wikipedia.org/wiki/List_of_cities_in_Mali (2009 census)"

# name: (country ISO3, lon, lat, coordinate source)
PLACES: dict[str, tuple[str, float, float, str]] = {
    # Senegal
    "Dakar": ("SEN", -17.4479, 14.6934, OSM.format(27565045)),
    "Rufisque": ("SEN", -17.2738, 14.7164, OSM.format(281170836)),
    "Diamniadio": ("SEN", -17.1842, 14.7202, OSM.format(3303351290)),
    "Nguékhokh": ("SEN", -17.0063, 14.5173, OSM.format(2001329293)),
    "Mbour": ("SEN", -16.9657, 14.4118, OSM.format(286752859)),
    "Thiadiaye": ("SEN", -16.7056, 14.4205, OSM.format(2517825265)),
    "Fatick": ("SEN", -16.4042, 14.3340, OSM.format(249742347)),
    "Kaolack": ("SEN", -16.0764, 14.1388, OSM.format(3329033430)),
    "Kahone": ("SEN", -16.0369, 14.1588, OSM.format(3329033422)),
    "Birkelane": ("SEN", -15.7469, 14.1282, OSM.format(2197082623)),
    "Kaffrine": ("SEN", -15.5484, 14.1020, OSM.format(292953346)),
    "Malem Hoddar": ("SEN", -15.2919, 14.0878, OSM.format(2251183510)),
    "Koungheul": ("SEN", -14.8035, 13.9796, OSM.format(2251183429)),
    "Koumpentoum": ("SEN", -14.5611, 13.9804, OSM.format(1967597774)),
    "Sinthiou Maleme": ("SEN", -13.9203, 13.8206, OSM.format(2148386906)),
    "Tambacounda": ("SEN", -13.6683, 13.7693, OSM.format(249744836)),
    "Kothiary": ("SEN", -13.4555, 13.8921, OSM.format(351530227)),
    "Goudiry": ("SEN", -12.7167, 14.1833, WP.format("Goudiry")),
    "Kidira": ("SEN", -12.2144, 14.4567, OSM.format(351514079)),
    # Mauritania
    "Nouakchott": ("MRT", -15.9780, 18.0792, OSM.format(249166495)),
    "Wad Naga": ("MRT", -15.5188, 17.9659, OSM.format(4514383551)),
    "Boutilimit": ("MRT", -14.6974, 17.5470, OSM.format(560607680)),
    "Aleg": ("MRT", -13.9153, 17.0527, OSM.format(330457384)),
    "Magta-Lahjar": ("MRT", -13.0928, 17.5127, OSM.format(4456725743)),
    "Sangrave": ("MRT", -12.8405, 17.5962, OSM.format(424960554)),
    "Guerou": ("MRT", -11.8388, 16.8301, OSM.format(4517568586)),
    "Kiffa": ("MRT", -11.4002, 16.6162, OSM.format(330423418)),
    "Bougadoum": ("MRT", -11.0475, 16.5564, OSM.format(4478911673)),
    "Tintane": ("MRT", -10.1673, 16.3954, OSM.format(4478959562)),
    "Ayoun el Atrous": ("MRT", -9.6179, 16.6598, OSM.format(330418520)),
    "Kobenni": ("MRT", -9.4162, 15.8226, OSM.format(803713989)),
    # Mali
    "Diboli": ("MLI", -12.2006, 14.4572, OSM.format(1703669076)),
    "Ambidédi": ("MLI", -11.7904, 14.5861, OSM.format(1703668322)),
    "Samé Ouolof": ("MLI", -11.5671, 14.4848, OSM.format(2564221559)),
    "Kayes": ("MLI", -11.4379, 14.4434, OSM.format(277932033)),
    "Kabaté": ("MLI", -11.2101, 14.5108, OSM.format(3013105166)),
    "Ségala": ("MLI", -10.9727, 14.5630, OSM.format(1703671691)),
    "Koniakary": ("MLI", -10.8999, 14.5777, OSM.format(1703670606)),
    "Sandaré": ("MLI", -10.3056, 14.7035, OSM.format(2223014498)),
    "Diangounté-Camara": ("MLI", -9.5137, 14.5450, OSM.format(2124611420)),
    "Diéma": ("MLI", -9.1913, 14.5418, OSM.format(1035398271)),
    "Dianguirdé": ("MLI", -9.0162, 14.4932, OSM.format(2466018729)),
    "Torodo": ("MLI", -8.8428, 14.5113, OSM.format(2564190146)),
    "Dioumara Koussata": ("MLI", -8.5661, 14.5378, OSM.format(1703669221)),
    "Didiéni": ("MLI", -8.0910, 13.8837, OSM.format(2610671457)),
    "Kolokani": ("MLI", -8.0313, 13.5773, OSM.format(277944562)),
    "Kati": ("MLI", -8.0718, 12.7383, OSM.format(1703670426)),
    "Bamako": ("MLI", -8.0003, 12.6493, OSM.format(27564954)),
    "Nioro du Sahel": ("MLI", -9.5899, 15.2305, OSM.format(2165275023)),
    "Gogui": ("MLI", -9.3289, 15.6849, OSM.format(2165274997)),
    "Fassoudébé": ("MLI", -9.4343, 15.1188, OSM.format(2165275524)),
    "Bema": ("MLI", -9.3532, 15.0430, OSM.format(2165274986)),
    "Kita": ("MLI", -9.4854, 13.0350, OSM.format(1703670519)),
    "Kangaba": ("MLI", -8.4139, 11.9415, OSM.format(538454688)),
    "Kourémalé": ("MLI", -8.7833, 11.9500, WP.format("Kouremale")),
    "Siby": ("MLI", -8.3333, 12.3786, WP.format("Siby,_Mali")),
    "Bougouni": ("MLI", -7.4834, 11.4194, OSM.format(1703668713)),
    "Ouélessébougou": ("MLI", -7.9167, 12.0000, "https://fr.wikipedia.org/wiki/Ouélessébougou"),
    "Kolondiéba": ("MLI", -6.8934, 11.0885, OSM.format(2242614132)),
    "Sikasso": ("MLI", -5.6777, 11.3165, OSM.format(89942783)),
    # Kadiolo lies about 10 km west of the Zégoua - Sikasso trunk road (a spur road
    # leads to it), so the RN7 line does not pass through it.
    "Kadiolo": ("MLI", -5.7593, 10.5540, OSM.format(2147473031)),
    "Kassela": ("MLI", -7.6703, 12.5904, OSM.format(2445208510)),
    "Hérémakono": ("MLI", -5.3656, 11.1232, OSM.format(5544864795)),
    "Zégoua": ("MLI", -5.6468, 10.4853, OSM.format(6760122738)),
    "Koutiala": ("MLI", -5.4601, 12.3870, OSM.format(277943923)),
    "Niono": ("MLI", -5.9910, 14.2534, OSM.format(1703671124)),
    "Molodo": ("MLI", -6.0200, 14.2375, OSM.format(694218519)),
    "Konna": ("MLI", -3.8904, 14.9441, OSM.format(1717464519)),
    # towns where incidents are located (no road of the layer set passes them necessarily)
    "Djenné": ("MLI", -4.5549, 13.9052, OSM.format(2464146322)),
    "Douentza": ("MLI", -2.9530, 15.0069, OSM.format(495454624)),
    "Yorosso": ("MLI", -4.7768, 12.3528, OSM.format(1703672531)),
    "Yélimané": ("MLI", -10.5728, 15.1189, OSM.format(1996806372)),
    "Dioïla": ("MLI", -6.7949, 12.4864, OSM.format(1703669111)),
    "Dogofry": ("MLI", -10.9406, 15.0125, OSM.format(1703669382)),
    "Koulikoro": ("MLI", -7.5500, 12.8833, NE),
    "Timbuktu": ("MLI", -3.0166, 16.7666, NE),
    "Gao": ("MLI", -0.0500, 16.2666, NE),
    "Ségou": ("MLI", -6.2681, 13.4415, OSM.format(1717506745)),
    "Bla": ("MLI", -5.7621, 12.9494, OSM.format(2130931872)),
    "Ouan": ("MLI", -4.4041, 13.6929, OSM.format(2436279570)),
    "San": ("MLI", -4.9000, 13.3004, NE),
    "Sévaré": ("MLI", -4.0944, 14.5174, OSM.format(1725811097)),
    "Mopti": ("MLI", -4.1906, 14.4880, OSM.format(1717464540)),
    # Guinea
    "Conakry": ("GIN", -13.6802, 9.5315, NE),
    "Coyah": ("GIN", -13.3890, 9.7090, OSM.format(462036776)),
    "Kindia": ("GIN", -12.8578, 10.0492, OSM.format(1979210557)),
    "Mamou": ("GIN", -12.0836, 10.3741, OSM.format(2173041746)),
    "Dounet": ("GIN", -11.9187, 10.5134, OSM.format(2758768948)),
    "Bissikrima": ("GIN", -10.9370, 10.8534, OSM.format(2522379435)),
    "Dindeya": ("GIN", -11.9648, 10.4947, OSM.format(3454305211)),
    "Dabola": ("GIN", -11.1065, 10.7422, OSM.format(2134625027)),
    "Timbo": ("GIN", -11.8284, 10.6343, OSM.format(2598762472)),
    "Kouroussa": ("GIN", -9.8812, 10.6519, OSM.format(1717503545)),
    "Kankan": ("GIN", -9.3069, 10.3835, OSM.format(5724319639)),
    "Karifamoriah": ("GIN", -9.2691, 10.4173, OSM.format(6587103242)),
    "Baté-Nafadji": ("GIN", -9.2485, 10.6597, OSM.format(2757328344)),
    "Niandankoro": ("GIN", -9.2481, 11.0771, OSM.format(1717503546)),
    "Liélila": ("GIN", -9.1277, 11.1770, OSM.format(3008030872)),
    "Siguiri": ("GIN", -9.1752, 11.4195, OSM.format(1717506744)),
    "Doko": ("GIN", -8.9682, 11.7814, OSM.format(2442440719)),
    "Soumbarakolé": ("GIN", -9.0593, 11.7086, OSM.format(2442440406)),
    "Sala": ("GIN", -8.9437, 11.8521, OSM.format(3070261493)),
    # Burkina Faso
    "Koloko": ("BFA", -5.3284, 11.0915, OSM.format(5827432626)),
    "Bobo-Dioulasso": ("BFA", -4.2958, 11.1758, OSM.format(257506849)),
    "Orodara": ("BFA", -4.9149, 10.9821, OSM.format(353046743)),
    # Côte d'Ivoire
    "Abidjan": ("CIV", -4.0267, 5.3364, WP.format("Abidjan")),
    "Yamoussoukro": ("CIV", -5.2767, 6.8206, WP.format("Yamoussoukro")),
    "Toumodi": ("CIV", -5.0150, 6.5567, WP.format("Toumodi")),
    "Tiébissou": ("CIV", -5.2247, 7.1575, WP.format("Tiébissou")),
    "Bouaké": ("CIV", -5.0303, 7.6939, WP.format("Bouaké")),
    "Katiola": ("CIV", -5.1022, 8.1404, OSM.format(443378249)),
    "Fronan": ("CIV", -5.1303, 8.2115, OSM.format(2963213117)),
    "Niakaramandougou": ("CIV", -5.2914, 8.6611, WP.format("Niakaramandougou")),
    "Tafiré": ("CIV", -5.1638, 9.0715, OSM.format(816241172)),
    "Ferkessédougou": ("CIV", -5.1976, 9.5940, OSM.format(1828765103)),
    "Ouangolodougou": ("CIV", -5.1499, 9.9663, OSM.format(1599958076)),
    "Niellé": ("CIV", -5.6249, 10.1979, OSM.format(319225844)),
}

# Road vertices that are not towns: OpenStreetMap amenity=fuel nodes that lie on
# the road (a filling station is built at the roadside), used where the road
# bends away from the straight line between two towns.
# label: (lon, lat, coordinate source)
FUEL = "fuel station, OSM node {}"
ROAD_VERTICES: dict[str, tuple[float, float, str]] = {
    FUEL.format(n): (lon, lat, OSM.format(n)) for n, lon, lat in [
        (4697854890, -17.4262, 14.7450),  # Dakar - Rufisque
        (5125176464, -10.7499, 14.6429),  # Koniakary - Sandaré
        (5061818931, -8.1093, 12.7640),   # Kolokani - Kati
        (5333101237, -8.0055, 12.6799),   # Kati - Bamako
        (5603202860, -13.5002, 9.7085),   # Conakry - Coyah
        (4179509632, -13.4333, 9.7318),
        (6387433581, -13.3047, 9.7914),   # Coyah - Kindia
        (6387433582, -12.9144, 9.9788),
        (5995422157, -5.6605, 11.3086),   # Zégoua - Sikasso
        (6003725715, -6.3538, 11.4241),   # Sikasso - Bougouni
        (4262939579, -7.9318, 12.5244),   # Bougouni - Bamako (Shell Sénou)
        (6219758581, -7.9139, 12.5568),
        (4389923390, -7.9589, 12.5969),   # Bamako - Kassela
        (5057707429, -7.2960, 12.7362),   # Kassela - Ségou
        (5061819421, -6.9586, 12.7816),
        (4361277515, -5.8370, 13.1169),   # Ségou - Bla
        (5223065124, -5.3164, 13.0758),   # Bla - San
        (5184876024, -4.0626, 14.2781),   # San - Sévaré
    ]
}

# ref, name, road_class, waypoints (in order), source of the route
ROADS = [
    ("N1", "Dakar - Tambacounda - Kidira - Diboli", "national",
     ["Dakar", FUEL.format(4697854890), "Rufisque", "Diamniadio", "Nguékhokh", "Mbour", "Thiadiaye", "Fatick", "Kaolack",
      "Kahone", "Birkelane", "Kaffrine", "Malem Hoddar", "Koungheul", "Koumpentoum", "Sinthiou Maleme",
      "Tambacounda", "Kothiary", "Goudiry", "Kidira", "Diboli"],
     "https://en.wikipedia.org/wiki/N1_road_(Senegal)"),
    ("RN3", "Diboli - Kayes - Diéma - Kati", "national",
     ["Diboli", "Ambidédi", "Samé Ouolof", "Kayes", "Kabaté", "Ségala", "Koniakary", FUEL.format(5125176464),
      "Sandaré", "Diangounté-Camara", "Diéma", "Dianguirdé", "Torodo", "Dioumara Koussata", "Didiéni",
      "Kolokani", FUEL.format(5061818931), "Kati"],
     "https://www.mediapart.fr/journal/international/020119/du-niger-la-guinee-le-ras-le-bol-des-routes-fantomes"),
    ("", "Kati - Bamako", "national", ["Kati", FUEL.format(5333101237), "Bamako"], WP.format("Kati,_Mali")),
    ("N3", "Route de l'Espoir: Nouakchott - Ayoun el Atrous", "national",
     ["Nouakchott", "Wad Naga", "Boutilimit", "Aleg", "Magta-Lahjar", "Sangrave", "Guerou", "Kiffa",
      "Bougadoum", "Tintane", "Ayoun el Atrous"], WP.format("Route_de_l'Espoir")),
    ("", "Ayoun el Atrous - Gogui - Nioro du Sahel - Diéma", "national",
     ["Ayoun el Atrous", "Kobenni", "Gogui", "Nioro du Sahel", "Fassoudébé", "Bema", "Diéma"],
     "http://voyages.michel.rouaix.eu/2010/08/projet-pour-les-18-et-19-septembre.html"),
    ("RN1", "Conakry - Mamou - Kankan", "national",
     ["Conakry", FUEL.format(5603202860), FUEL.format(4179509632), "Coyah", FUEL.format(6387433581),
      FUEL.format(6387433582), "Kindia", "Mamou", "Dindeya", "Dounet", "Timbo", "Dabola", "Bissikrima", "Kouroussa", "Kankan"],
     "https://www.jeuneafrique.com/mag/1049088/economie/guinee-lalliance-franco-chinoise-crbc-egis-face-au-casse-tete-du-desenclavement/"
     " ; https://guineenews.org/2019/11/23/dabola-kouroussa-la-route-connait-un-nouveau-trace"),
    ("RN5", "Kankan - Siguiri - Kourémalé - Bamako", "national",
     ["Kankan", "Karifamoriah", "Baté-Nafadji", "Niandankoro", "Liélila", "Siguiri", "Soumbarakolé",
      "Doko", "Sala", "Kourémalé", "Siby", "Bamako"],
     "https://projectsportal.afdb.org/dataportal/VProject/show/P-Z1-D00-007"),
    ("A3", "Abidjan - Yamoussoukro - Bouaké - Ferkessédougou - Pogo", "national",
     ["Abidjan", "Toumodi", "Yamoussoukro", "Tiébissou", "Bouaké", "Katiola", "Fronan",
      "Niakaramandougou", "Tafiré", "Ferkessédougou", "Ouangolodougou", "Niellé",
      "Zégoua"], WP.format("Autoroute_du_Nord_(Côte_d'Ivoire)")),
    ("RN7", "Zégoua - Sikasso - Bougouni - Bamako", "national",
     ["Zégoua", FUEL.format(5995422157), "Sikasso", FUEL.format(6003725715), "Bougouni",
      "Ouélessébougou", FUEL.format(4262939579), FUEL.format(6219758581), "Bamako"], WP.format("Sikasso")),
    ("", "Bobo-Dioulasso - Koloko - Hérémakono - Sikasso", "national",
     ["Bobo-Dioulasso", "Orodara", "Koloko", "Hérémakono", "Sikasso"],
     "http://borderlesswa.com/fr/ressources/rapport-sur-la-gouvernance-routie%CC%80re-sur-le-corridor-ouagadougou-%C2%AD%E2%80%90bamako"),
    ("RN6", "Bamako - Ségou - San - Mopti", "national",
     ["Bamako", FUEL.format(4389923390), "Kassela", FUEL.format(5057707429), FUEL.format(5061819421), "Ségou",
      FUEL.format(4361277515), "Bla", FUEL.format(5223065124), "San", "Ouan", FUEL.format(5184876024), "Sévaré", "Mopti"], WP.format("Ségou")),
    ("", "Bougouni - Kolondiéba", "regional", ["Bougouni", "Kolondiéba"],
     "https://maliweb.net/economie/desenclavement-routes/desenclavement-de-laxe-zantiebougou-kolondieba-frontiere-cote-divoire-bitumage-de-cet-axe-rapprochera-bamako-port-de-san-pedro-de-200-km-1896762.html"),
]



# --- cities: population with its source and year -----------------------------
# Mali: 2009 census (RGPH 2009), commune population, as tabulated in
# https://en.wikipedia.org/wiki/List_of_cities_in_Mali. Elsewhere: Natural
# Earth's pop_max, an estimate of the urban area (no census year).
CENSUS_2009 = {
    "Bamako": 1809106, "Sikasso": 225753, "Koutiala": 137919, "Ségou": 130690,
    "Kayes": 127368, "Kati": 114983, "Mopti": 114296, "Gao": 86633, "San": 68067,
    "Bla": 61338, "Niono": 91554,
}
NE_POP_MAX = {
    "Dakar": 2604000, "Conakry": 1494000, "Nouakchott": 742144, "Bobo-Dioulasso": 360106,
    "Kaolack": 277812, "Kindia": 117062, "Kankan": 114009, "Tambacounda": 89212, "Kiffa": 73930,
    "Mamou": 71153, "Ferkessédougou": 62008, "Siguiri": 50159, "Fatick": 24243,
    "Koulikoro": 23919, "Timbuktu": 68872, "Dabola": 13057, "Kouroussa": 14223,
    "Nioro du Sahel": 14421, "Kita": 46435, "Bougouni": 35450, "Aleg": 8388, "Boutilimit": 14142,
}

# --- border crossings ------------------------------------------------------------
# name, country_a, country_b, lon, lat, road ref, how the point was placed, source
CROSSINGS = [
    ("Diboli-Kidira", "MLI", "SEN", -12.2075, 14.4570, "RN3/N1",
     "midpoint of the Diboli and Kidira town nodes, either side of the Falémé bridge",
     OSM.format(1703669076) + " ; " + OSM.format(351514079)),
    ("Gogui", "MLI", "MRT", -9.3289, 15.6849, "",
     "the Gogui town node; the post is at the town",
     OSM.format(2165274997)),
    ("Kourémalé", "GIN", "MLI", -8.7833, 11.9500, "RN5",
     "Kourémalé town coordinates", WP.format("Kouremale")),
    ("Zégoua-Pogo", "CIV", "MLI", -5.6468, 10.4853, "RN7/A3",
     "the Zégoua town node, seat of the Malian post (Pogo is the Ivorian side)",
     OSM.format(6760122738)),
    ("Hérémakono-Koloko", "BFA", "MLI", -5.3470, 11.1074, "",
     "midpoint of the Malian (Hérémakono) and Burkinabè (Koloko) customs nodes",
     OSM.format(5544864795) + " ; " + OSM.format(5827432626)),
]

# --- incidents ---------------------------------------------------------------------
# geo_precision, as ACLED uses it: 1 = at the named town; 2 = near a town or
# between two named places (placed at the town or the midpoint of the two);
# 3 = only the region, or the country, is known (placed at its main town).
# fatalities: the number the source reports; empty where it gives none.
JNIM = "JNIM: Group for Support of Islam and Muslims"
FAMA = "Military Forces of Mali (2021-)"
RFI_14SEP = "https://fr.allafrica.com/stories/202509150560.html"
REUTERS_16SEP = "https://www.sowetanlive.co.za/news/africa/2025-09-16-at-least-40-fuel-tankers-burnt-in-jnim-linked-attack-in-mali-sources/"
JULY1 = "https://www.senenews.com/actualites/afrique/attaques-coordonnees-des-terroristes-au-mali-diboli-pres-de-la-frontiere-senegalaise-egalement-vise_548536.html"

# event_id, date, event_type, sub_event_type, actor1, place (or "A|B" for between), precision,
# fatalities, notes, source
INCIDENTS = [
    *[(f"GK25-07-01-{i}", "2025-07-01", "Battles", "Armed clash", JNIM, town, 1, "",
       f"Coordinated dawn attack on FAMa positions in seven western towns; attack at {town}. "
       "The army reported over 80 attackers killed across all sites, with no per-site toll.", JULY1)
      for i, town in enumerate(["Kayes", "Diboli", "Sandaré", "Nioro du Sahel", "Gogui", "Niono", "Molodo"], 1)],
    ("GK25-09-03", "2025-09-03", "Strategic developments", "Blockade declared", JNIM, "Kayes", 3, "",
     "JNIM spokesman announces a blockade on fuel imports into the Kayes and Nioro regions, "
     "bordering Senegal and Mauritania.", REUTERS_16SEP),
    ("GK25-09-07", "2025-09-07", "Violence against civilians", "Attack on fuel tankers", JNIM, "Sikasso", 3, "",
     "Fuel tankers arriving from Côte d'Ivoire torched in Sikasso region over the weekend of 6-7 September.",
     "https://www.devdiscourse.com/article/business/3619570-militants-tighten-grip-fuel-blockade-in-mali-escalates-tensions"),
    ("GK25-09-11-1", "2025-09-11", "Explosions/Remote violence", "Air/drone strike", FAMA, "Kayes", 2, "",
     "Army reports air strikes neutralising several militants around Kayes.",
     "https://www.newafrique.net/articles/ppYOAeiPMx9vRzoHOM5v"),
    ("GK25-09-11-2", "2025-09-11", "Explosions/Remote violence", "Air/drone strike", FAMA, "Nioro du Sahel", 2, "",
     "Army reports air strikes neutralising several militants around Nioro du Sahel.",
     "https://www.newafrique.net/articles/ppYOAeiPMx9vRzoHOM5v"),
    ("GK25-09-13", "2025-09-13", "Battles", "Ambush on escorted fuel convoy", JNIM, "Didiéni|Kolokani", 2, "",
     "Escorted tanker convoy from Senegal attacked between Didiéni and Kolokani, about 100 km from Bamako.",
     RFI_14SEP),
    ("GK25-09-14-1", "2025-09-14", "Battles", "Ambush on escorted fuel convoy", JNIM, "Ségala", 2, "",
     "Convoy of 80+ tankers from Senegal under military escort attacked on the Kayes-Bamako road; "
     "at least 20 (RFI) to 40 (truckers' union, Reuters) tankers burned; soldiers killed or captured. "
     "RFI places it between Kaniéra and Lakamané; maliweb near Ségala, about 60 km from Kayes.",
     RFI_14SEP + " ; " + REUTERS_16SEP),
    ("GK25-09-14-2", "2025-09-14", "Battles", "Armed clash", JNIM, "Konna", 1, "",
     "JNIM claims the capture of army positions at Konna.",
     "https://africaho.bj/article/mali-les-jihadistes-frappent-des-convois-de-camions-citernes-a-kayes"),
    ("GK25-10-03", "2025-10-03", "Violence against civilians", "Abduction/forced disappearance", JNIM, "Ségou", 3, "",
     "President of the Ségou regional council kidnapped on the Ségou-Bamako road.",
     "https://sewt.info/node/18767"),
    ("GK25-10-06", "2025-10-06", "Explosions/Remote violence", "Air/drone strike", FAMA, "Kolondiéba", 2, "",
     "Air strikes destroy shelters of militants behind attempted attacks on an escort mission in the "
     "Kolondiéba sector.", "https://burkina-faso.news-pravda.com/world/2025/10/07/48310.html"),
    ("GK25-10-11", "2025-10-11", "Explosions/Remote violence", "Air/drone strike", FAMA, "Kolondiéba", 2, "",
     "Army helicopters foil an attack on a civilian convoy on the Kadiana-Kolondiéba road.",
     "https://avia-pro.fr/news/boeviki-atakovali-kolonnu-benzovozov-v-mali"),
    ("GK25-10-17", "2025-10-17", "Battles", "Ambush on escorted fuel convoy", JNIM, "Kolondiéba", 2, "4",
     "Ambush on a military column and tankers from Côte d'Ivoire between Kolondiéba and Kadiana; four "
     "drivers killed, soldiers killed or captured, over 50 tankers and vehicles burned.",
     "https://tanakra.net/?p=17575"),
    ("GK25-10-26", "2025-10-26", "Strategic developments", "Schools closed", "Government of Mali", "Bamako", 3, "",
     "Government suspends school and university classes nationwide for two weeks because of the fuel shortage.",
     "https://www.arabnews.pk/node/2620625/world"),
    ("GK25-10-28", "2025-10-28", "Strategic developments", "Embassy advises departure", "US Embassy in Mali",
     "Bamako", 1, "",
     "US Embassy urges citizens to leave Mali immediately by commercial flights; overland routes unsafe "
     "because of attacks on national highways.",
     "https://www.aa.com.tr/en/africa/us-embassy-in-mali-urges-americans-to-leave-immediately-/3729188"),
    ("GK25-11-02", "2025-11-02", "Explosions/Remote violence", "Air/drone strike", FAMA, "Kolondiéba", 2, "10",
     "Air and ground strike on a base west of Sirakoro (Kolondiéba cercle) used to plan attacks on fuel "
     "convoys; the army reports more than ten militants killed.",
     "https://lessor.ml/posts/approvisionnement-en-hydrocarbures-larmee-detruit-une-base-terroriste-dans-la-region-de-bougouni-69089c30b057d"),
    ("GK25-11-06", "2025-11-06", "Explosions/Remote violence", "Air/drone strike", FAMA, "Kolondiéba|Bougouni", 2, "",
     "Air strikes on militants at Donièna, Kouen and Bessina to cover tankers on the Kadiana-Bougouni axis.",
     "https://lesnouvellesdafrique.info/2025/11/06/urgence-carburant-les-fama-lachent-leurs-bombes-pour-contrer-le-jnim-sur-laxe-des-citernes"),
    # --- added for issue #15: June to December 2025 -------------------------------------------------
    ("GK25-06-01", "2025-06-01", "Battles", "Attack on army camp", JNIM, "Douentza", 3, "30",
     "JNIM attack on the Boulkessi army camp (Douentza cercle, near the Burkina Faso border), claimed by JNIM. "
     "At least 30 soldiers killed per AFP security sources; a local official said at least 60. Boulkessi is "
     "placed at Douentza, the cercle's main town.",
     "https://information.tv5monde.com/afrique/au-moins-30-soldats-tues-dans-lattaque-dun-camp-militaire-au-mali-selon-des-sources"),
    ("GK25-06-02", "2025-06-02", "Battles", "Suicide attack on army camp and airport", JNIM, "Timbuktu", 1, "",
     "Simultaneous JNIM assault on the Timbuktu army camp, shells on the airport and two checkpoints seized. "
     "The army reports 13 assailants killed (14 in another account); no toll of soldiers was verified.",
     "https://www.pressafrik.com/Mali-le-Jnim-mene-des-attaques-simultanees-a-Tombouctou-et-intensifie-ses-operations-dans-le-pays_a290347.html"),
    ("GK25-06-03", "2025-06-03", "Battles", "Attack on army position", JNIM, "Yélimané", 1, "",
     "Attack on the army at Yélimané (Kayes region), listed in a series of attacks that week; single source, no "
     "toll given.",
     "https://lopinionplus.com/mali-la-caserne-militaire-de-mahou-a-sikasso-tombe-sous-le-controle-des-insurges/"),
    ("GK25-06-04", "2025-06-04", "Battles", "Attack on army position", JNIM, "Bamako", 2, "",
     "Attack at Mamaribougou, near Bamako, listed in a series of attacks that week; single source, no toll "
     "given. Placed at Bamako.",
     "https://lopinionplus.com/mali-la-caserne-militaire-de-mahou-a-sikasso-tombe-sous-le-controle-des-insurges/"),
    ("GK25-06-05-1", "2025-06-05", "Battles", "Attack on army post", JNIM, "Yorosso", 2, "5",
     "More than 50 militants attack the Mahou security post (Yorosso cercle, Sikasso region); five soldiers "
     "killed and about ten wounded per a military source (AFP); the army says it killed 25 assailants. "
     "Actujet dates it 2 June; the army's communique and AFP give 5 June. Placed at Yorosso.",
     "https://cridem.org/C_Info.php?article=784521 ; http://news.abamako.com/h/300674.html"),
    ("GK25-06-05-2", "2025-06-05", "Battles", "Attack on army camp", JNIM, "Douentza", 3, "",
     "Second attack on the Boulkessi camp, with drones; several soldiers killed per a local official (AFP).",
     "https://docker.seneweb.com/fr/news/10/mali-larmee-se-retire-dun-camp-apres-deux-attaques-jihadistes-meurtrieres_n_472477.html"),
    ("GK25-06-06", "2025-06-06", "Strategic developments", "Army withdraws from camp", FAMA, "Douentza", 3, "",
     "The army withdraws from the Boulkessi camp after the two attacks; RFI found it empty on 7 June.",
     "https://www.pressafrik.com/Mali-l-armee-se-retire-de-l-important-camp-militaire-de-Boulkessi-cible-d-attaques-jihadistes_a290502.html"),
    ("GK25-07-01-8", "2025-07-01", "Strategic developments", "Curfew", "Government of Mali", "Kayes", 3, "",
     "After the coordinated attacks, the Kayes regional authorities impose a 30-day night curfew, renewable.",
     "https://www.dakarposte.com/Mali-80-jihadistes-tues-et-couvre-feu-instaure_a83224.html"),
    ("GK25-07-01-9", "2025-07-01", "Strategic developments", "Curfew", "Government of Mali", "Dioïla", 3, "",
     "The Dioïla regional authorities impose a 30-day night curfew, renewable, on the same day as Kayes.",
     "https://www.dakarposte.com/Mali-80-jihadistes-tues-et-couvre-feu-instaure_a83224.html"),
    ("GK25-08-19-1", "2025-08-19", "Battles", "Attack on army camp", JNIM, "Niono", 3, "21",
     "Dawn attack by the Katiba Macina (JNIM) on the Farabougou army camp (Niono cercle, Ségou region); at "
     "least 21 soldiers killed per Koaci, at least four bodies in authenticated videos per RFI. Placed at Niono.",
     "https://www.koaci.com/article/2025/08/21/mali/politique/mali-attaques-jihadistes-meurtrieres-contre-deux-bases-militaires-et-un-village-a-farabougou_189565.html"),
    ("GK25-08-19-2", "2025-08-19", "Violence against civilians", "Attack", JNIM, "Niono", 3, "6",
     "After taking the camp, the attackers turn on Farabougou village: at least six villagers killed, men "
     "abducted, part of the village burned; families flee to Dogofry and Sokolo.",
     "https://www.pressafrik.com/Mali-deux-attaques-jihadistes-simultanees-dans-la-region-de-Segou_a293638.html"),
    ("GK25-08-19-3", "2025-08-19", "Battles", "Attack on army position", JNIM, "Ségou", 3, "",
     "Simultaneous attack on the army position at Biriki-Were (Ségou region); no toll given. Placed at Ségou.",
     "https://www.pressafrik.com/Mali-deux-attaques-jihadistes-simultanees-dans-la-region-de-Segou_a293638.html"),
    ("GK25-09-04", "2025-09-04", "Violence against civilians", "Abduction/forced disappearance", JNIM,
     "Kayes|Nioro du Sahel", 2, "",
     "Six Senegalese truck drivers abducted on the national road between Kayes and Nioro du Sahel, the day "
     "after the blockade was declared.",
     "https://www.koaci.com/index.php/article/2025/09/08/mali/politique/mali-liberation-des-six-routiers-senegalais-enleves-par-le-jnim_189976.html"),
    ("GK25-09-05-1", "2025-09-05", "Strategic developments", "Release of hostages", JNIM, "Kayes|Nioro du Sahel", 2,
     "", "The six Senegalese drivers are released in the evening on the road where they were taken (Union des "
     "routiers du Sénégal).", "https://fr.allafrica.com/stories/202509080253.html"),
    ("GK25-09-05-2", "2025-09-05", "Violence against civilians", "Attack on passenger bus", JNIM, "Kayes", 3, "",
     "A Diarra Transport bus burned; JNIM accused the company of working with the army. Where is not stated; "
     "the company's routes run Kayes-Bamako, placed at Kayes.",
     "https://www.topnewsafrica.net/news/mali-destruction-de-plusieurs-dizaines-de-camions-citernes-venant-de-la-cote-divoire"),
    ("GK25-09-06", "2025-09-06", "Violence against civilians", "Abduction at armed roadblock", JNIM, "Kassela", 2, "",
     "Militants stop traffic on the Bamako-Ségou road between Kassela and Zantiguila (Faya forest) around 10:00, "
     "search vehicles and take off anyone with a military card; some vehicles turn back or detour via Koulikoro.",
     "https://www.dakaractu.com/Mali-les-terroristes-envahissent-l-axe-Bamako-Segou_a264808.html"),
    ("GK25-09-08", "2025-09-08", "Strategic developments", "Transport company suspends service",
     "Diarra Transport", "Bamako", 3, "",
     "Diarra Transport suspends its bus services after JNIM threats and attacks on its vehicles.",
     "https://www.senenews.com/actualites/societe/tensions-autour-de-la-frontiere-senegalo-malienne-la-contre-offensive-du-mali-assimi-goita-riposte_558780.html"),
    ("GK25-09-13-2", "2025-09-13", "Battles", "Ambush on fuel convoy", JNIM, "Kolondiéba", 2, "",
     "An earlier ambush on tankers on the Kolondiéba-Kadiana road, cited by two outlets as 13 September (Top "
     "News Africa calls it a Monday; 13 September 2025 was a Saturday). No toll given.",
     "https://www.ivoirematin.com/fr/news/Afrique/mali-des-dizaines-de-camions-ivoiriens-incendies-par-des-terroristes-a-sikasso_n_114585.html"),
    ("GK25-09-15", "2025-09-15", "Battles", "Attack on army position", JNIM, "Djenné", 1, "",
     "JNIM claims the capture of army positions at Djenné (an incident at the Djenné crossroads, per Journal du "
     "Mali, unconfirmed at the time).",
     "https://africaho.bj/article/mali-les-jihadistes-frappent-des-convois-de-camions-citernes-a-kayes"),
    ("GK25-09-19", "2025-09-19", "Battles", "Ambush on escorted fuel convoy", JNIM, "Kati", 3, "",
     "Friday-evening attack on a military convoy escorting fuel trucks about 40 km from Kati; trucks burned, "
     "heavy losses reported. Which road is not stated, so only the area is known (precision 3, at Kati).",
     "https://tanakra.net/?p=17409"),
    ("GK25-10-06-2", "2025-10-06", "Violence against civilians", "Attack on fuel tanker", JNIM, "Sikasso", 2, "",
     "A tanker burned near Sikasso (RFI); tankers are burned almost daily.",
     "https://www.pressafrik.com/Mali-Bamako-a-son-tour-affectee-par-l-embargo-jihadiste-sur-le-carburant_a295852.html"),
    ("GK25-10-07", "2025-10-07", "Strategic developments", "Fuel shortage", "Civilians (Mali)", "Bamako", 3, "",
     "The fuel shortage reaches Bamako: many stations closed, queues late into the night (RFI).",
     "https://fr.africanews.com/2025/10/07/mali-la-penurie-dessence-provoquee-par-le-jnim-setend-a-bamako/"),
    ("GK25-10-12", "2025-10-12", "Strategic developments", "Fuel shortage", "Civilians (Mali)", "Ségou", 1, "",
     "Queues at fuel stations kilometres long in Ségou; power cuts of over ten hours a day (RFI).",
     "https://fr.allafrica.com/stories/202510130348.html"),
    ("GK25-10-17-2", "2025-10-17", "Strategic developments", "Agreement", JNIM, "Bamako", 3, "",
     "JNIM's spokesman accepts Diarra Transport's apology on conditions (neutrality, veils for women passengers), "
     "ending its six-week ban.", "https://tanakra.net/?p=17581"),
    ("GK25-10-28-2", "2025-10-28", "Battles", "Ambush on fuel convoy", JNIM, "Kati>Kita@50", 2, "",
     "Convoy of about 40 tankers attacked on the RN24 in a wooded area 50 km from Kati: lead and rear tankers "
     "burned, the others taken. Placed 50 km from Kati towards Kita (the RN24 links the south-west to Bamako).",
     "https://fr.allafrica.com/stories/202510290229.html"),
    ("GK25-10-28-3", "2025-10-28", "Violence against civilians", "Abduction/forced disappearance", JNIM, "Bamako",
     3, "", "Two Egyptian traders kidnapped west of Bamako (RFI).",
     "https://www.thiesinfo.com/Mali-nouvelle-attaque-du-Jnim-pres-de-Bamako-les-Etats-Unis-appellent-leurs-ressortissants-a-quitter-le-pays_a11003.html"),
    ("GK25-10-29", "2025-10-29", "Strategic developments", "Fuel shortage", "ONAP (Mali)", "Bamako", 3, "",
     "The national petroleum office's security stock (three days of consumption) is exhausted (AFP).",
     "https://humaniterre.net/%f0%9d%90%8f%f0%9d%90%9e%f0%9d%90%a7%f0%9d%90%ae%f0%9d%90%ab%f0%9d%90%a2%f0%9d%90%9e-%f0%9d%90%9d%f0%9d%90%9e-%f0%9d%90%9c%f0%9d%90%9a%f0%9d%90%ab%f0%9d%90%9b%f0%9d%90%ae%f0%9d%90%ab%f0%9d%90%9a"),
    ("GK25-10-30-1", "2025-10-30", "Strategic developments", "Embassy orders departure", "US Embassy in Mali",
     "Bamako", 1, "", "The US State Department orders non-emergency embassy staff and families to leave Mali.",
     "https://www.dawn.com/news/1952474/insecurity-fuel-crisis-in-mali-spark-foreign-embassy-warnings-to-leave"),
    ("GK25-10-30-2", "2025-10-30", "Strategic developments", "Embassy advises departure", "UK Embassy in Mali",
     "Bamako", 1, "", "The UK withdraws non-essential embassy staff from Bamako and urges Britons to leave by "
     "commercial flight.",
     "https://www.dawn.com/news/1952474/insecurity-fuel-crisis-in-mali-spark-foreign-embassy-warnings-to-leave"),
    ("GK25-10-31", "2025-10-31", "Strategic developments", "Escorted convoy arrives", FAMA, "Bamako", 1, "",
     "A convoy of about a thousand tankers escorted by the army reaches Bamako at dawn (local sources to Fides).",
     "https://fr.allafrica.com/stories/202510310051.html"),
    ("GK25-11-07", "2025-11-07", "Strategic developments", "Embassy advises departure", "French Foreign Ministry",
     "Bamako", 1, "", "France advises its nationals to leave Mali as soon as possible by commercial flight, not "
     "by road.", "https://news.az/news/france-urges-citizens-to-leave-mali-due-to-rising-security-risks"),
    ("GK25-12-06", "2025-12-06", "Battles", "Ambush on escorted fuel convoy", JNIM, "Bougouni", 2, "",
     "Ambush on an army-escorted tanker convoy a short distance from Bougouni on the road to Bamako: at least "
     "15 tankers burned (RFI), more than 20 (security source to AFP); the rest reached Bamako.",
     "https://fr.allafrica.com/stories/202512070032.html ; https://www.trtafrika.com/francais/article/ee81f1f4bce4"),
    ("GK25-12-09", "2025-12-09", "Explosions/Remote violence", "Air/drone strike", FAMA, "Nioro du Sahel", 3, "",
     "Army air strikes at Sébabougou (Nioro region) on a camouflaged pickup carrying fuel drums.",
     "https://fr.allafrica.com/stories/202512120104.html"),
    ("GK25-12-10-1", "2025-12-10", "Violence against civilians", "Attack on fuel tankers", JNIM,
     "Bamako|Ouélessébougou", 2, "1",
     "Tankers attacked between Bamako and Ouélessébougou, under 80 km from the capital: one driver killed, at "
     "least four tankers burned (RFI).", "https://fr.allafrica.com/stories/202512120104.html"),
    ("GK25-12-10-2", "2025-12-10", "Battles", "Attack on army vehicle", JNIM, "Dogofry", 2, "",
     "JNIM claims an attack on an army vehicle between Dogofri and Diabali (Ségou region); no reliable toll.",
     "https://fr.allafrica.com/stories/202512120104.html"),
    ("GK25-12-10-3", "2025-12-10", "Violence against civilians", "Attack", JNIM, "Nioro du Sahel", 1, "1",
     "Evening attack on the teacher-training institute (IFM) of Nioro du Sahel: one killed, one wounded (RFI).",
     "https://fr.allafrica.com/stories/202512120104.html"),
    ("GK25-12-25-1", "2025-12-25", "Battles", "Attack on army position", JNIM, "Kassela", 2, "",
     "JNIM claims the capture of an army position at Zantiguila on the Bamako-Ségou road (Thursday evening); "
     "the army does not acknowledge it. Placed at Kassela.", "https://fr.allafrica.com/stories/202512270096.html"),
    ("GK25-12-25-2", "2025-12-25", "Battles", "Ambush with IED on military convoy", JNIM, "Bamako|Bougouni", 2, "",
     "JNIM claims an ambush with an improvised explosive device on a convoy of the army and Africa Corps "
     "between Bougouni and Bamako; repelled with air support per a local security source.",
     "https://fr.allafrica.com/stories/202512270096.html"),
    ("GK25-12-26-1", "2025-12-26", "Battles", "Attack on army positions", JNIM, "Bougouni", 3, "",
     "JNIM claims the capture of three army positions at Kalana (Friday morning); soldiers killed per local "
     "sources, no toll. Placed at Bougouni, the region's main town.",
     "https://fr.allafrica.com/stories/202512270096.html"),
    ("GK25-12-26-2", "2025-12-26", "Battles", "Attack on army position", JNIM, "Sandaré", 1, "",
     "Attack on the army at Sandaré (Friday afternoon), claimed by JNIM; the army says it repelled it and "
     "blames FLA rebels too, which the FLA denies.", "https://fr.allafrica.com/stories/202512270096.html"),
]


def _lonlat(stop: str) -> tuple[float, float]:
    if stop in ROAD_VERTICES:
        return ROAD_VERTICES[stop][:2]
    return PLACES[stop][1], PLACES[stop][2]


def _source(stop: str) -> str:
    return ROAD_VERTICES[stop][2] if stop in ROAD_VERTICES else PLACES[stop][3]


def _place_lonlat(place: str) -> tuple[float, float]:
    """A place name, the midpoint of "A|B", or "A>B@km": km from A on the geodesic towards B."""
    if ">" in place:
        from pyproj import Geod

        start, rest = place.split(">")
        end, km = rest.split("@")
        geod = Geod(ellps="WGS84")
        azimuth, _, _ = geod.inv(PLACES[start][1], PLACES[start][2], PLACES[end][1], PLACES[end][2])
        lon, lat, _ = geod.fwd(PLACES[start][1], PLACES[start][2], azimuth, float(km) * 1000)
        return round(lon, 4), round(lat, 4)
    names = place.split("|")
    lons = [PLACES[n][1] for n in names]
    lats = [PLACES[n][2] for n in names]
    return round(sum(lons) / len(lons), 4), round(sum(lats) / len(lats), 4)


def _feature(geometry: dict, properties: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _write_geojson(name: str, features: list[dict]) -> None:
    """One feature per line: compact, and a change to a feature is a one-line diff."""
    head = json.dumps({"type": "FeatureCollection", "name": name.removesuffix(".geojson")}, ensure_ascii=False)
    rows = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    (HERE / name).write_text(head[:-1] + ', "features": [\n' + rows + "\n]}\n", encoding="utf-8")


def sourced_lines() -> list[dict]:
    """The hand-made lines through each road's sourced towns and roadside fuel stations (R01...)."""
    lines = []
    for i, (ref, name, road_class, stops, source) in enumerate(ROADS, 1):
        coords = [list(_lonlat(s)) for s in stops]
        towns = [s for s in stops if s in PLACES]
        stations = [s for s in stops if s in ROAD_VERTICES]
        lines.append(_feature({"type": "LineString", "coordinates": coords}, {
            "road_id": f"R{i:02d}", "ref": ref or None, "name": name, "road_class": road_class,
            "via": " - ".join(towns), "source": source,
            "geometry_method": "straight lines through the towns it passes"
                               + (f" and {len(stations)} roadside fuel stations" if stations else ""),
            "vertex_sources": " ; ".join(f"{s}: {_source(s)}" for s in stops)}))
    return lines


def derive_roads(sourced: list[dict]) -> list[dict]:
    """The shipped road network: the OSM-derived major routes of the study area, simplified to 50 m,
    named where a sourced line follows them, plus the sourced lines' stretches the network lacks.

    Needs ../shared/data/roads_major_routes_osm_osrm.geojson; deterministic for a given input.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    from geokit.crs import choose_metric_crs

    network = gpd.read_file(SHARED / "roads_major_routes_osm_osrm.geojson")
    network = network[network["adm0_a3"].isin(STUDY_AREA)].sort_values("seg_id").reset_index(drop=True)
    hand = gpd.GeoDataFrame.from_features(sourced, crs=4326)
    crs = choose_metric_crs(pd_concat_bounds(network, hand))
    net_m = network.to_crs(crs)
    hand_m = hand.to_crs(crs)
    lines = shapely.simplify(net_m.geometry.array, SIMPLIFY_M, preserve_topology=True)
    length = shapely.length(lines)
    # each network line takes the ref/name of the sourced line that covers most of it
    buffers = shapely.buffer(hand_m.geometry.array, TAG_BUFFER_M)
    share = np.column_stack([shapely.length(shapely.intersection(lines, b)) / length for b in buffers])
    best = share.argmax(axis=1)
    tagged = share[np.arange(len(lines)), best] >= TAG_SHARE
    features = []
    out_lines = gpd.GeoSeries(lines, crs=crs).to_crs(4326)
    for i, row in network.iterrows():
        line = shapely.set_precision(out_lines.iloc[i], 1e-5)
        props = {"road_id": f"OSM{int(row['seg_id']):04d}", "ref": None, "name": None,
                 "road_class": "major route", "country": row["adm0_a3"], "passes": float(row["passes"]),
                 "source": NETWORK_SOURCE.format(int(row["seg_id"])),
                 "geometry_method": f"OSM-derived alignment, simplified to {SIMPLIFY_M:g} m",
                 "named_after": None}
        if tagged[i]:
            src = hand.iloc[best[i]]
            props.update(ref=_text(src["ref"]), name=src["name"], road_class=src["road_class"],
                         named_after=f"{src['road_id']}: {src['source']}")
        features.append(_feature(shapely.geometry.mapping(line), props))
    # stretches of the sourced lines that no network line follows (south of 8 N, Bougouni-Kolondiéba, ...)
    network_union = shapely.union_all(lines)
    covered = shapely.buffer(network_union, GAP_BUFFER_M)
    ends = shapely.get_coordinates(shapely.boundary(lines))
    tree_pts = shapely.points(ends)
    for _, src in hand_m.iterrows():
        gap = shapely.difference(src.geometry, covered)
        for part in sorted(shapely.get_parts(shapely.line_merge(gap)), key=lambda g: g.coords[0]):
            if part.length < GAP_MIN_KM * 1000:
                continue
            coords = list(part.coords)
            reach = [shapely.distance(shapely.Point(coords[k]), network_union) for k in (0, -1)]
            if max(reach) <= GAP_BUFFER_M * 1.05:
                continue  # both ends touch the network: a chord across a bend, not a road the network lacks
            for k in (0, -1):  # join the stretch to the nearest network line end
                here = shapely.Point(coords[k])
                d = shapely.distance(tree_pts, here)
                j = int(np.argmin(d))
                if d[j] <= JOIN_KM * 1000:
                    coords.insert(0 if k == 0 else len(coords), tuple(ends[j]))
            piece = gpd.GeoSeries([shapely.LineString(coords)], crs=crs).to_crs(4326).iloc[0]
            features.append(_feature(shapely.geometry.mapping(shapely.set_precision(piece, 1e-5)), {
                "road_id": f"{src['road_id']}-{len(features):04d}", "ref": _text(src["ref"]), "name": src["name"],
                "road_class": src["road_class"], "country": None, "passes": None, "source": src["source"],
                "geometry_method": "no OSM-derived road here: " + src["geometry_method"]
                                   + ", joined to the nearest network line end",
                "named_after": f"{src['road_id']}: {src['source']}"}))
    return features


def _text(value: object) -> str | None:
    """A text property, or None for a missing one (never NaN, which is not JSON)."""
    return value if isinstance(value, str) and value else None


def pd_concat_bounds(*frames):
    """A frame covering every given frame's extent (for choosing one metric CRS)."""
    import geopandas as gpd
    import shapely

    boxes = [shapely.box(*f.to_crs(4326).total_bounds) for f in frames]
    return gpd.GeoDataFrame(geometry=boxes, crs=4326)


#: file shipped -> (file in ../shared/data, {canonical: source column}, fixed columns, decimals)
BASE_LAYERS = {
    "countries.geojson": ("admin0_countries_ne50m_west_africa.geojson", {"name": "NAME", "iso_a3": "ADM0_A3"},
                          {"source": "Natural Earth 1:50m admin 0 countries v4.0 (naturalearthdata.com), "
                                     "public domain"}, 4),
    "mali_regions.geojson": ("mali_admin1_geoboundaries.geojson", {"name": "shapeName", "region_iso": "shapeISO"},
                             {"iso_a3": "MLI", "source": "geoBoundaries gbOpen MLI ADM1 2021 (Runfola et al. 2020, "
                                                         "PLoS ONE 15(4): e0231866), CC BY 4.0"}, 4),
    "rivers.geojson": ("rivers_lake_centerlines_ne10m.geojson", {"name": "name", "name_fr": "name_fr",
                                                                "scalerank": "scalerank"},
                       {"source": "Natural Earth 1:10m rivers and lake centerlines v4.0, public domain"}, 4),
    "lakes.geojson": ("lakes_ne10m.geojson", {"name": "name", "name_fr": "name_fr", "scalerank": "scalerank"},
                      {"source": "Natural Earth 1:10m lakes v4.0, public domain"}, 4),
}
POPULATION_GRID = ("population_gpw4_2020_30min_west_africa.tif", "population_gpw4_2020_30min.tif")


def write_base_layers() -> None:
    """Countries, Mali's regions, rivers and lakes for the map's base, and the population grid, from
    ../shared/data (see README.md here for each licence)."""
    import geopandas as gpd
    import shapely

    for name, (source, columns, fixed, decimals) in BASE_LAYERS.items():
        frame = gpd.read_file(SHARED / source)
        out = gpd.GeoDataFrame({k: frame[v] if v in frame else None for k, v in columns.items()},
                               geometry=shapely.set_precision(frame.geometry.array, 10.0 ** -decimals), crs=4326)
        for key, value in fixed.items():
            out[key] = value
        out = out[~out.geometry.is_empty].sort_values("name", kind="mergesort", na_position="last")
        features = [_feature(shapely.geometry.mapping(g), {k: (None if v != v else v) for k, v in rec.items()})
                    for g, rec in zip(out.geometry, out.drop(columns="geometry").to_dict("records"))]
        _write_geojson(name, features)
    (HERE / POPULATION_GRID[1]).write_bytes((SHARED / POPULATION_GRID[0]).read_bytes())


def main() -> None:
    sourced = sourced_lines()
    if (SHARED / BASE_LAYERS["countries.geojson"][0]).is_file():
        write_base_layers()
    if (SHARED / "roads_major_routes_osm_osrm.geojson").is_file():
        roads = derive_roads(sourced)
        _write_geojson("roads.geojson", roads)
    else:
        roads = json.loads((HERE / "roads.geojson").read_text(encoding="utf-8"))["features"]
        print(f"{SHARED} is absent: roads.geojson kept as it is")

    on_roads: dict[str, list[str]] = {}
    for i, (ref, name, _, stops, _) in enumerate(ROADS, 1):
        for s in stops:
            if s in PLACES:
                on_roads.setdefault(s, []).append(f"R{i:02d}")
    cities = []
    for name, (iso3, lon, lat, source) in PLACES.items():
        if name in CENSUS_2009:
            pop, year, pop_source = CENSUS_2009[name], 2009, WP_CITIES
        elif name in NE_POP_MAX:
            pop, year, pop_source = NE_POP_MAX[name], None, NE + " pop_max (estimate, no census year)"
        else:
            pop, year, pop_source = None, None, None
        cities.append(_feature({"type": "Point", "coordinates": [lon, lat]}, {
            "name": name, "country": iso3, "population": pop, "population_year": year,
            "population_source": pop_source, "on_roads": ",".join(on_roads.get(name, [])) or None,
            "source": source}))
    _write_geojson("cities.geojson", cities)

    crossings = [
        _feature({"type": "Point", "coordinates": [lon, lat]}, {
            "name": name, "country_a": a, "country_b": b, "road_ref": ref or None,
            "placement": how, "source": source})
        for name, a, b, lon, lat, ref, how, source in CROSSINGS
    ]
    _write_geojson("border_crossings.geojson", crossings)

    columns = ["event_id", "event_date", "event_type", "sub_event_type", "actor1", "location",
               "latitude", "longitude", "geo_precision", "fatalities", "notes", "source"]
    with open(HERE / "incidents.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for event_id, date, etype, sub, actor, place, prec, dead, notes, source in INCIDENTS:
            lon, lat = _place_lonlat(place)
            location = place.replace("|", " - ").replace(">", " towards ").replace("@", ", km ")
            writer.writerow([event_id, date, etype, sub, actor, location, lat, lon, prec, dead, notes, source])
    print(f"wrote {len(roads)} roads, {len(cities)} cities, {len(crossings)} crossings, "
          f"{len(INCIDENTS)} incidents to {HERE}")


if __name__ == "__main__":
    main()
