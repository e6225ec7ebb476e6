"""Word lists for the demo company and the bulk generator: names, places, sectors, texts.

Only data lives here; `demo_rows` draws from it. The provinces are all 81, with their region
code, telephone area code and a weight that makes the big commercial cities more frequent.
"""

from __future__ import annotations

from typing import NamedTuple


class Province(NamedTuple):
    name: str
    region: str
    area_code: str
    weight: float


_SMALL = 0.35

_REGIONS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "MARMARA": (
        ("İstanbul", "212", 30.0),
        ("Bursa", "224", 5.0),
        ("Kocaeli", "262", 4.0),
        ("Tekirdağ", "282", 2.0),
        ("Sakarya", "264", 1.5),
        ("Balıkesir", "266", 1.2),
        ("Çanakkale", "286", 0.7),
        ("Edirne", "284", 0.5),
        ("Kırklareli", "288", 0.5),
        ("Yalova", "226", 0.5),
        ("Bilecik", "228", _SMALL),
    ),
    "EGE": (
        ("İzmir", "232", 8.0),
        ("Manisa", "236", 2.0),
        ("Denizli", "258", 2.0),
        ("Aydın", "256", 1.2),
        ("Muğla", "252", 1.0),
        ("Afyonkarahisar", "272", 0.7),
        ("Kütahya", "274", 0.6),
        ("Uşak", "276", 0.6),
    ),
    "AKDENIZ": (
        ("Antalya", "242", 3.0),
        ("Adana", "322", 2.5),
        ("Mersin", "324", 2.0),
        ("Hatay", "326", 1.2),
        ("Kahramanmaraş", "344", 1.0),
        ("Osmaniye", "328", 0.5),
        ("Isparta", "246", 0.5),
        ("Burdur", "248", _SMALL),
    ),
    "IC_ANADOLU": (
        ("Ankara", "312", 10.0),
        ("Konya", "332", 3.0),
        ("Kayseri", "352", 2.5),
        ("Eskişehir", "222", 1.5),
        ("Sivas", "346", 0.6),
        ("Kırıkkale", "318", 0.5),
        ("Aksaray", "382", 0.5),
        ("Karaman", "338", 0.4),
        ("Kırşehir", "386", _SMALL),
        ("Niğde", "388", _SMALL),
        ("Nevşehir", "384", 0.4),
        ("Yozgat", "354", _SMALL),
        ("Çankırı", "376", _SMALL),
    ),
    "KARADENIZ": (
        ("Samsun", "362", 1.5),
        ("Trabzon", "462", 1.2),
        ("Ordu", "452", 0.6),
        ("Zonguldak", "372", 0.6),
        ("Düzce", "380", 0.5),
        ("Bolu", "374", 0.5),
        ("Çorum", "364", 0.5),
        ("Tokat", "356", 0.4),
        ("Giresun", "454", 0.4),
        ("Rize", "464", 0.4),
        ("Kastamonu", "366", 0.4),
        ("Karabük", "370", 0.4),
        ("Amasya", "358", _SMALL),
        ("Artvin", "466", _SMALL),
        ("Sinop", "368", _SMALL),
        ("Bartın", "378", _SMALL),
        ("Gümüşhane", "456", _SMALL),
        ("Bayburt", "458", _SMALL),
    ),
    "DOGU_ANADOLU": (
        ("Malatya", "422", 0.8),
        ("Erzurum", "442", 0.7),
        ("Elazığ", "424", 0.6),
        ("Van", "432", 0.6),
        ("Erzincan", "446", _SMALL),
        ("Kars", "474", _SMALL),
        ("Ağrı", "472", _SMALL),
        ("Ardahan", "478", _SMALL),
        ("Iğdır", "476", _SMALL),
        ("Muş", "436", _SMALL),
        ("Bitlis", "434", _SMALL),
        ("Hakkari", "438", _SMALL),
        ("Bingöl", "426", _SMALL),
        ("Tunceli", "428", _SMALL),
    ),
    "GUNEYDOGU_ANADOLU": (
        ("Gaziantep", "342", 3.0),
        ("Şanlıurfa", "414", 0.8),
        ("Diyarbakır", "412", 0.8),
        ("Mardin", "482", 0.5),
        ("Batman", "488", 0.4),
        ("Adıyaman", "416", _SMALL),
        ("Siirt", "484", _SMALL),
        ("Şırnak", "486", _SMALL),
        ("Kilis", "348", _SMALL),
    ),
}

#: The 81 provinces of Türkiye.
PROVINCES: tuple[Province, ...] = tuple(
    Province(name, region, code, weight)
    for region, rows in _REGIONS.items()
    for name, code, weight in rows
)

# fmt: off
#: Districts (used as address district and, for the big cities, tax office names).
DISTRICTS: dict[str, tuple[str, ...]] = {
    "İstanbul": (
        "Kadıköy", "Ataşehir", "Şişli", "Beşiktaş", "Ümraniye", "Bağcılar", "Esenyurt",
        "İkitelli", "Maltepe", "Pendik", "Tuzla", "Beylikdüzü", "Sarıyer", "Bayrampaşa",
    ),
    "Ankara": ("Çankaya", "Yenimahalle", "Keçiören", "Etimesgut", "Sincan", "Altındağ"),
    "İzmir": ("Konak", "Bornova", "Karşıyaka", "Çiğli", "Buca", "Torbalı", "Kemalpaşa"),
    "Bursa": ("Osmangazi", "Nilüfer", "Yıldırım", "İnegöl", "Gemlik"),
    "Kocaeli": ("İzmit", "Gebze", "Darıca", "Dilovası", "Kartepe"),
    "Antalya": ("Muratpaşa", "Kepez", "Konyaaltı", "Alanya", "Manavgat"),
    "Konya": ("Selçuklu", "Meram", "Karatay", "Ereğli"),
    "Gaziantep": ("Şahinbey", "Şehitkamil", "Nizip"),
    "Adana": ("Seyhan", "Çukurova", "Yüreğir", "Ceyhan"),
    "Kayseri": ("Melikgazi", "Kocasinan", "Talas"),
}

#: Tax offices of the big cities; elsewhere the province name is the tax office.
TAX_OFFICES: dict[str, tuple[str, ...]] = {
    "İstanbul": (
        "Kozyatağı", "Mecidiyeköy", "Büyük Mükellefler", "Beyoğlu", "Kadıköy", "Zincirlikuyu",
        "Boğaziçi Kurumlar", "İkitelli", "Marmara Kurumlar", "Sarıyer", "Göztepe", "Tuzla",
    ),
    "Ankara": ("Kavaklıdere", "Çankaya", "Ulus", "Maltepe", "Ostim", "Başkent"),
    "İzmir": ("Karşıyaka", "Kordon", "Konak", "Bornova", "Hasan Tahsin", "Kemeraltı"),
    "Bursa": ("Osmangazi", "Nilüfer", "Uludağ", "Ertuğrulgazi"),
    "Kocaeli": ("Tepecik", "Gebze", "Alemdağ"),
    "Antalya": ("Antalya Kurumlar", "Muratpaşa", "Kalekapı"),
    "Konya": ("Selçuk", "Meram", "Alaaddin"),
    "Gaziantep": ("Şehitkamil", "Suburcu", "Kozanlı"),
    "Adana": ("Seyhan", "Çukurova", "Ziyapaşa"),
    "Kayseri": ("Kaleönü", "Erciyes", "Mimar Sinan"),
}

NEIGHBOURHOODS: tuple[str, ...] = (
    "Atatürk", "Cumhuriyet", "Yenimahalle", "Fatih", "Barbaros", "Mimar Sinan", "İstiklal",
    "Hürriyet", "Gazi Osman Paşa", "Yıldırım Beyazıt", "Kazım Karabekir", "Esentepe",
    "Fevzi Çakmak", "Yeşilyurt", "Organize Sanayi", "Küçükbakkalköy", "Mevlana", "Karşıyaka",
)

STREETS: tuple[str, ...] = (
    "Atatürk Cad.", "İnönü Cad.", "Cumhuriyet Bulvarı", "Sanayi Sok.", "Gül Sok.",
    "Kültür Cad.", "Gazi Bulvarı", "Fevzipaşa Cad.", "Lale Sok.", "Çamlık Sok.",
    "Menekşe Sok.", "Bağdat Cad.", "1. Organize Sanayi Cad.", "Ankara Asfaltı", "Ticaret Sok.",
)

#: Sector code → words that go into company titles of that sector.
SECTORS: dict[str, tuple[str, ...]] = {
    "GIDA": ("Gıda", "Un Sanayi", "Süt Ürünleri", "Unlu Mamüller", "Et ve Et Ürünleri"),
    "INSAAT": ("İnşaat", "Yapı", "Yapı Malzemeleri", "Taahhüt", "Beton"),
    "TEKSTIL": ("Tekstil", "Konfeksiyon", "Örme", "Dokuma", "Hazır Giyim"),
    "OTOMOTIV": ("Otomotiv", "Oto Yedek Parça", "Motorlu Araçlar", "Lastik"),
    "KIMYA": ("Kimya", "Boya", "Kozmetik", "Deterjan"),
    "ELEKTRONIK": ("Elektronik", "Elektrik", "Bilişim", "Yazılım"),
    "LOJISTIK": ("Lojistik", "Nakliyat", "Taşımacılık", "Depoculuk"),
    "MOBILYA": ("Mobilya", "Ahşap", "Dekorasyon"),
    "AMBALAJ": ("Ambalaj", "Karton", "Matbaacılık"),
    "MAKINE": ("Makine", "Metal", "Döküm", "Çelik Konstrüksiyon"),
    "PLASTIK": ("Plastik", "Kauçuk", "Polimer"),
    "TARIM": ("Tarım Ürünleri", "Tohumculuk", "Hayvancılık", "Yem"),
    "ENERJI": ("Enerji", "Akaryakıt", "Güneş Enerjisi"),
    "MEDIKAL": ("Medikal", "Sağlık Ürünleri", "Ecza Deposu"),
    "TURIZM": ("Turizm", "Otelcilik", "Seyahat"),
}

#: Group codes (send criteria, SPEC D1): customer groups and the supplier group.
CUSTOMER_GROUPS: tuple[tuple[str, float], ...] = (
    ("BAYI", 3.0),
    ("TOPTAN", 3.0),
    ("PERAKENDE", 2.0),
    ("IHRACAT", 1.0),
    ("KAMU", 0.5),
)
SUPPLIER_GROUP = "TEDARIK"

TITLE_STEMS: tuple[str, ...] = (
    "Anadolu", "Ege", "Marmara", "Karadeniz", "Akdeniz", "Başkent", "Yıldız", "Doğan",
    "Özkan", "Kaya", "Aydın", "Çelik", "Güneş", "Akın", "Kartal", "Atlas", "Demir", "Yılmaz",
    "Şahin", "Öztürk", "Koç", "Arslan", "Tekin", "Polat", "Erdem", "Kılıç", "Bayrak", "Ergin",
    "Uysal", "Altın", "Yeşil", "Mavi", "Ak", "Saray", "Birlik", "Güven", "Umut", "Çağdaş",
    "Ekinci", "Toros", "Kuzey", "Pınar", "Ova", "Selçuklu", "Boğaziçi", "Kapadokya", "Trakya",
    "Zirve", "Ünal", "Karaca", "Bozkurt", "Gök", "Sönmez", "Tuna", "Ilgaz", "Efes", "Nur",
    "Işık", "Akdağ", "Uğur", "Özdemir", "Aksoy", "Orhan", "Ceylan", "Başak", "Deniz", "Kale",
)

TITLE_SUFFIXES: tuple[tuple[str, float], ...] = (
    ("San. ve Tic. A.Ş.", 4.0),
    ("Tic. Ltd. Şti.", 3.0),
    ("A.Ş.", 2.0),
    ("Ltd. Şti.", 2.0),
    ("San. Tic. Ltd. Şti.", 2.0),
    ("İth. İhr. San. ve Tic. A.Ş.", 1.0),
    ("Paz. ve Tic. A.Ş.", 1.0),
)

FIRST_NAMES_F: tuple[str, ...] = (
    "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Esra", "Özlem", "Derya",
    "Gülşen", "Sibel", "Canan", "Burcu", "Ebru", "Selin", "Deniz", "Ece", "Nazlı", "Şule",
    "Tülay", "Serpil", "Nur", "Pınar", "Gizem", "İpek", "Damla", "Seda", "Aslı", "Büşra",
)

FIRST_NAMES_M: tuple[str, ...] = (
    "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Ömer",
    "Emre", "Burak", "Serkan", "Kemal", "Osman", "Yusuf", "Halil", "Cem", "Can", "Erkan",
    "Tolga", "Volkan", "Selim", "Barış", "Onur", "Gökhan", "Umut", "Kadir", "Erdal", "Çağrı",
    "Şükrü",
)

SURNAMES: tuple[str, ...] = (
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
    "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan",
    "Şimşek", "Polat", "Korkmaz", "Erdoğan", "Güneş", "Aksoy", "Bulut", "Keskin", "Ünal",
    "Güler", "Tekin", "Karataş", "Uçar", "Çakır", "Acar", "Işık", "Erdem", "Sarı", "Ateş",
    "Türkmen", "Gündoğdu",
)

#: (title, department, receives reconciliation letters)
CONTACT_ROLES: tuple[tuple[str, str, bool], ...] = (
    ("Muhasebe Müdürü", "Muhasebe", True),
    ("Muhasebe Uzmanı", "Muhasebe", True),
    ("Finans Uzmanı", "Finans", True),
    ("Mali İşler Müdürü", "Finans", True),
    ("Finans Direktörü", "Finans", True),
    ("Muhasebe Sorumlusu", "Muhasebe", True),
    ("Genel Müdür", "Genel Müdürlük", False),
    ("Satın Alma Sorumlusu", "Satın Alma", False),
    ("Ön Muhasebe Elemanı", "Muhasebe", True),
)

PERSONAL_MAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "hotmail.com", "yandex.com", "outlook.com")

BANKS: tuple[str, ...] = (
    "Ziraat Bankası", "İş Bankası", "Garanti BBVA", "Yapı Kredi", "Akbank", "Halkbank",
    "VakıfBank", "QNB", "DenizBank", "TEB",
)

SALES_TEXTS: tuple[str, ...] = (
    "Mal satışı", "Satış faturası", "Ürün satışı", "Toptan satış", "Hizmet bedeli",
    "Bayi satışı", "Kampanya satışı",
)
EXPORT_TEXTS: tuple[str, ...] = ("İhracat faturası", "Mal ihracatı - FOB", "Mal ihracatı - CIF")
PURCHASE_TEXTS: tuple[str, ...] = (
    "Alış faturası", "Hammadde alımı", "Malzeme alımı", "Nakliye hizmeti", "Yedek parça alımı",
    "Ambalaj malzemesi alımı",
)
PAID_ORDER_TEXTS: tuple[str, ...] = ("Peşin satış siparişi", "Ön ödemeli sipariş")
VOUCHER_DEBIT_TEXTS: tuple[str, ...] = ("Kur farkı faturası", "Vade farkı", "Virman")
VOUCHER_CREDIT_TEXTS: tuple[str, ...] = ("Çek tahsilatı", "İade faturası", "Virman")

NOTES: tuple[str, ...] = (
    "Ödemelerini ay sonunda toplu yapar.",
    "Mutabakat yazıları muhasebe müdürüne gitmeli.",
    "Çek ile çalışır, vadeler 90 gün.",
    "Yılsonu mutabakatı için kaşeli imzalı cevap istiyor.",
    "Kur farkı faturaları ayrıca takip ediliyor.",
)
# fmt: on

_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâîû", "cgiosuCGIOSUaiu")


def ascii_fold(text: str) -> str:
    """`Özdemir Çelik` → `Ozdemir Celik`: for e-mail addresses and domain names."""
    return text.translate(_ASCII)
