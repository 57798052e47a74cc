"""Names of synthetic travellers: the Latin form a passport prints and, where officers meet one, the Cyrillic.

One :class:`Tradition` per naming culture. Every name is a pair: the Latin form as
the person's own passport prints it (upper case, A-Z, no diacritics: the MRZ form)
and the Cyrillic spelling a Kazakh host or officer would write, where there is an
established one (``None`` otherwise). The Latin forms follow each country's own
practice, not one rule, because that is what the feeds receive:

- Russia (since 2014) and Kazakhstan: ICAO Doc 9303 table B (Юлия → IULIIA, Жансая → ZHANSAIA);
- Ukraine: the national 2010 table (Сергій → SERHII);
- Uzbekistan, Turkmenistan, Azerbaijan, Tajikistan: the national Latin alphabet without
  diacritics, so the Cyrillic often differs (Холматов → XOLMATOV, Аннаев → ANNAYEW,
  Мамедов → MAMMADOV, Ҷамшед → JAMSHED);
- Kyrgyzstan: ICAO-like, plus patronymic surnames (ASAN UULU, ASAN KYZY);
- Armenia: the national romanisation (Оганесян → HOVHANNISYAN).

The lists are short, hand-written and illustrative: they give the record linkage of
the registry realistic spellings to work on, not a census of names.

Examples:
    >>> TRADITIONS["russian"].female[3]
    ('NATALIA', 'Наталья')
    >>> feminine_surname("IVANOV", "Иванов"), feminine_surname("KOVALSKII", "Ковальский")
    (('IVANOVA', 'Иванова'), ('KOVALSKAIA', 'Ковальская'))
"""

from __future__ import annotations

from dataclasses import dataclass

Name = tuple[str, str | None]
"""(Latin MRZ form, Cyrillic spelling or None)."""


def _pairs(text: str) -> tuple[Name, ...]:
    """``"LATIN Кириллица LATIN2 ..."``: each Latin token, with the Cyrillic token after it if there is one."""
    out: list[Name] = []
    for token in text.split():
        if token.isascii():
            out.append((token, None))
        else:
            latin, _ = out[-1]
            out[-1] = (latin, token)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Tradition:
    """Given names by sex and (masculine) surnames of one naming culture.

    ``inflect``: feminine surnames take the Slavic ending (IVANOV → IVANOVA).
    ``second_given``: share of people with a second given name.
    ``patronymic``: share of people whose surname is the father's name plus UULU/KYZY.
    ``single_name``: share of people with one name only (the MRZ then has no given names).
    """

    key: str
    male: tuple[Name, ...]
    female: tuple[Name, ...]
    surnames: tuple[Name, ...]
    inflect: bool = True
    second_given: float = 0.0
    patronymic: float = 0.0
    single_name: float = 0.0


def _tradition(
    key: str,
    male: str,
    female: str,
    surnames: str,
    *,
    inflect: bool = True,
    second_given: float = 0.0,
    patronymic: float = 0.0,
    single_name: float = 0.0,
) -> Tradition:
    return Tradition(
        key, _pairs(male), _pairs(female), _pairs(surnames), inflect, second_given, patronymic, single_name
    )


_LATIN_ENDINGS = ("OV", "EV", "IN", "YN", "OW", "EW")
_CYRILLIC_ENDINGS = ("ов", "ев", "ёв", "ин", "ын")


def feminine_surname(latin: str, cyrillic: str | None) -> Name:
    """The feminine form of a Slavic-style surname (-OV → -OVA, -SKII → -SKAIA); others unchanged."""
    if latin.endswith("SKII"):
        return latin[:-2] + "AIA", (cyrillic[:-2] + "ая") if cyrillic else None
    if latin.endswith(_LATIN_ENDINGS):
        return latin + "A", (cyrillic + "а") if cyrillic and cyrillic.endswith(_CYRILLIC_ENDINGS) else cyrillic
    return latin, cyrillic


PATRONYMIC_SUFFIX: dict[str, Name] = {"M": ("UULU", "уулу"), "F": ("KYZY", "кызы")}
"""Kyrgyz patronymic surnames: son of / daughter of the father's given name."""

TRADITIONS: dict[str, Tradition] = {
    t.key: t
    for t in (
        _tradition(
            "russian",
            "ALEKSANDR Александр DMITRII Дмитрий SERGEI Сергей ANDREI Андрей ALEKSEI Алексей MAKSIM Максим "
            "IVAN Иван MIKHAIL Михаил PAVEL Павел ARTEM Артём NIKITA Никита EVGENII Евгений VLADIMIR Владимир "
            "NIKOLAI Николай IURII Юрий DENIS Денис KIRILL Кирилл OLEG Олег VIKTOR Виктор ROMAN Роман ILIA Илья "
            "KONSTANTIN Константин VIACHESLAV Вячеслав GRIGORII Григорий",
            "ANNA Анна ELENA Елена OLGA Ольга NATALIA Наталья TATIANA Татьяна IRINA Ирина MARIIA Мария "
            "IULIIA Юлия ANASTASIIA Анастасия DARIA Дарья EKATERINA Екатерина SVETLANA Светлана KSENIIA Ксения "
            "EVGENIIA Евгения ALINA Алина VIKTORIIA Виктория POLINA Полина MARINA Марина LIUDMILA Людмила "
            "VERA Вера SOFIA Софья VALENTINA Валентина",
            "IVANOV Иванов SMIRNOV Смирнов KUZNETSOV Кузнецов POPOV Попов VASILEV Васильев PETROV Петров "
            "SOKOLOV Соколов MIKHAILOV Михайлов NOVIKOV Новиков FEDOROV Фёдоров MOROZOV Морозов VOLKOV Волков "
            "ALEKSEEV Алексеев LEBEDEV Лебедев SEMENOV Семёнов EGOROV Егоров PAVLOV Павлов KOZLOV Козлов "
            "STEPANOV Степанов NIKOLAEV Николаев ORLOV Орлов ANDREEV Андреев MAKAROV Макаров NIKITIN Никитин "
            "ZAKHAROV Захаров ZAITSEV Зайцев SOLOVEV Соловьёв BORISOV Борисов IAKOVLEV Яковлев "
            "GRIGOREV Григорьев ROMANOV Романов VOROBEV Воробьёв SERGEEV Сергеев BELOV Белов TARASOV Тарасов "
            "BELIAEV Беляев FROLOV Фролов KOMAROV Комаров KOVALSKII Ковальский SHEVTSOV Шевцов",
        ),
        _tradition(
            "ukrainian",
            "OLEKSANDR Олександр SERHII Сергій ANDRII Андрій DMYTRO Дмитро VOLODYMYR Володимир IVAN Іван "
            "MYKOLA Микола YURII Юрій OLEH Олег VIKTOR Віктор MAKSYM Максим BOHDAN Богдан",
            "OLENA Олена TETIANA Тетяна NATALIIA Наталія IRYNA Ірина YULIIA Юлія OKSANA Оксана MARIIA Марія "
            "ANNA Анна SVITLANA Світлана LIUDMYLA Людмила KATERYNA Катерина",
            "SHEVCHENKO Шевченко KOVALENKO Коваленко BONDARENKO Бондаренко TKACHENKO Ткаченко "
            "KRAVCHENKO Кравченко OLIINYK Олійник MELNYK Мельник SHEVCHUK Шевчук POLISHCHUK Поліщук BOIKO Бойко "
            "KOVALCHUK Ковальчук SAVCHENKO Савченко RUDENKO Руденко MOROZ Мороз LYSENKO Лисенко",
            inflect=False,
        ),
        _tradition(
            "kazakh",
            "NURLAN Нұрлан ASKAR Асқар ERLAN Ерлан DANIIAR Данияр ARMAN Арман BAUYRZHAN Бауыржан SERIK Серік "
            "ERZHAN Ержан TIMUR Тимур AIDOS Айдос ERBOLAT Ерболат KANAT Қанат MARAT Марат BOLAT Болат "
            "MUKHTAR Мұхтар",
            "AIGERIM Әйгерім AIZHAN Айжан GULNARA Гүлнара DANA Дана SAULE Сәуле AINUR Айнұр ZHANAR Жанар "
            "MADINA Мадина ASEL Әсел DINARA Динара GULMIRA Гүлмира NAZERKE Назерке AKMARAL Ақмарал "
            "ZHANSAIA Жансая SALTANAT Салтанат",
            "AKHMETOV Ахметов ZHAKSYBEKOV Жақсыбеков ABENOV Әбенов OMAROV Омаров SERIKBAEV Серікбаев "
            "KASYMOV Қасымов SULEIMENOV Сүлейменов SADYKOV Садықов TOLEGENOV Төлегенов ESENOV Есенов "
            "AMANOV Аманов NURLANOV Нұрланов ZHUMABAEV Жұмабаев ISAEV Исаев KENZHEBAEV Кенжебаев "
            "MURATOV Мұратов BAIZHANOV Байжанов OSPANOV Оспанов MUKANOV Мұқанов GABITOV Ғабитов",
        ),
        _tradition(
            "uzbek",
            "OTABEK Отабек JASUR Жасур SARDOR Сардор BEKZOD Бекзод AZIZ Азиз RUSTAM Рустам SHERZOD Шерзод "
            "DILSHOD Дилшод AKMAL Акмал ULUGBEK Улуғбек JAMSHID Жамшид BOBUR Бобур SANJAR Санжар "
            "SHOXRUX Шоҳруҳ JAVLON Жавлон DONIYOR Дониёр ISLOM Ислом ABDULLA Абдулла SARVAR Сарвар "
            "FARRUX Фаррух",
            "DILNOZA Дилноза NILUFAR Нилуфар GULNORA Гулнора MALIKA Малика SHAHNOZA Шаҳноза FERUZA Феруза "
            "NODIRA Нодира KAMOLA Камола MOHIRA Моҳира SEVARA Севара MADINA Мадина ZARINA Зарина "
            "DILDORA Дилдора GULCHEHRA Гулчеҳра MUNISA Муниса LAYLO Лайло MOHINUR Моҳинур ZILOLA Зилола "
            "SHAHZODA Шаҳзода NARGIZA Наргиза",
            "KARIMOV Каримов RAHIMOV Раҳимов YUSUPOV Юсупов ABDULLAYEV Абдуллаев USMONOV Усмонов "
            "NAZAROV Назаров MIRZAYEV Мирзаев ERGASHEV Эргашев TURSUNOV Турсунов XOLMATOV Холматов "
            "SOBIROV Собиров ISMOILOV Исмоилов QODIROV Қодиров TOSHMATOV Тошматов YULDASHEV Юлдашев "
            "SAIDOV Саидов RASHIDOV Рашидов AHMEDOV Аҳмедов ALIYEV Алиев JURAYEV Жўраев",
        ),
        _tradition(
            "kyrgyz",
            "AIBEK Айбек BAKYT Бакыт NURBEK Нурбек ERMEK Эрмек TALANT Талант AZAMAT Азамат ALMAZBEK Алмазбек "
            "CHYNGYZ Чыңгыз BEKTUR Бектур EMIL Эмил KANAT Канат MARAT Марат ULAN Улан NURSULTAN Нурсултан "
            "ADILET Адилет ERLAN Эрлан MAKSAT Максат TILEK Тилек ZHOOMART Жоомарт KUBANYCHBEK Кубанычбек",
            "AIZADA Айзада AIGUL Айгүл CHOLPON Чолпон NAZGUL Назгүл BEGIMAI Бегимай KANYKEI Каныкей AIDA Аида "
            "GULZAT Гүлзат AIPERI Айпери ZHYLDYZ Жылдыз ASEL Асел MEERIM Мээрим ELNURA Элнура NURIZA Нуриза "
            "AIZHAN Айжан ALTYNAI Алтынай SAIKAL Сайкал BURUL Бурул",
            "ASANOV Асанов USENOV Усенов SADYROV Садыров TOKTOGULOV Токтогулов ABDYLDAEV Абдылдаев "
            "MAMYTOV Мамытов OSMONOV Осмонов ALYMKULOV Алымкулов ZHUMABAEV Жумабаев BEISHENALIEV Бейшеналиев "
            "KASYMOV Касымов TASHIEV Ташиев SYDYKOV Сыдыков ZHAPAROV Жапаров MAMATOV Маматов "
            "ISMAILOV Исмаилов AKMATOV Акматов TURDUBAEV Турдубаев SULTANOV Султанов ORMONOV Ормонов",
            patronymic=0.2,
        ),
        _tradition(
            "tajik",
            "FIRDAVS Фирдавс BEHRUZ Беҳрӯз SHAHROM Шаҳром SORBON Сорбон FARHOD Фарҳод DALER Далер "
            "MANUCHEHR Манучеҳр JAMSHED Ҷамшед BAHROM Баҳром PARVIZ Парвиз UMED Умед SINO Сино "
            "FARIDUN Фаридун RUSTAM Рустам SUHROB Суҳроб ISMOIL Исмоил NAVRUZ Наврӯз ABDULLO Абдулло "
            "KOMRON Комрон DILOVAR Диловар",
            "NIGINA Нигина FARANGIS Фарангис MEHRANGEZ Меҳрангез TAHMINA Таҳмина SITORA Ситора ZARINA Зарина "
            "MANIZHA Манижа SHABNAM Шабнам MADINA Мадина PARVINA Парвина MUNIRA Мунира DILAFRUZ Дилафрӯз "
            "GULNORA Гулнора FIRUZA Фируза NOZANIN Нозанин",
            "RAHIMOV Раҳимов SHARIPOV Шарипов SAFAROV Сафаров QODIROV Қодиров DAVLATOV Давлатов "
            "RAJABOV Раҷабов KARIMOV Каримов NAZAROV Назаров SAIDOV Саидов MIRZOEV Мирзоев KHOLOV Холов "
            "ODINAEV Одинаев SHARIFZODA Шарифзода NAZARZODA Назарзода SAIDZODA Саидзода RAHMONZODA Раҳмонзода "
            "MAHMADZODA Маҳмадзода",
        ),
        _tradition(
            "armenian",
            "ARMEN Армен GEVORG Геворг DAVIT Давит NAREK Нарек TIGRAN Тигран ARAM Арам HAYK Айк ARTUR Артур "
            "VAHE Ваге KAREN Карен SAMVEL Самвел GOR Гор",
            "ANI Ани ANNA Анна MARIAM Мариам LILIT Лилит NARINE Нарине ARMINE Армине GAYANE Гаяне SONA Сона "
            "ANUSH Ануш HASMIK Асмик",
            "PETROSYAN Петросян HOVHANNISYAN Оганесян GRIGORYAN Григорян HARUTYUNYAN Арутюнян "
            "SARGSYAN Саргсян KHACHATRYAN Хачатрян KARAPETYAN Карапетян MKRTCHYAN Мкртчян GEVORGYAN Геворгян "
            "AVETISYAN Аветисян HAKOBYAN Акопян VARDANYAN Варданян",
            inflect=False,
        ),
        _tradition(
            "azerbaijani",
            "ELVIN Эльвин ORXAN Орхан FARID Фарид ELCIN Эльчин TURAL Турал ANAR Анар VUSAL Вюсал "
            "KAMRAN Камран RAMIL Рамиль NICAT Ниджат EMIN Эмин RUSLAN Руслан",
            "AYNUR Айнур GUNEL Гюнель LEYLA Лейла NIGAR Нигяр AYTAN Айтан NARMIN Нармин GULNAR Гюльнар "
            "KONUL Кёнуль LALA Лала SEVINC Севиндж",
            "MAMMADOV Мамедов ALIYEV Алиев HASANOV Гасанов HUSEYNOV Гусейнов GULIYEV Кулиев "
            "ISMAYILOV Исмаилов ABBASOV Аббасов BABAYEV Бабаев CAFAROV Джафаров RZAYEV Рзаев "
            "SULEYMANOV Сулейманов VALIYEV Велиев QASIMOV Гасымов NACAFOV Наджафов",
        ),
        _tradition(
            "turkmen",
            "SERDAR Сердар MERDAN Мердан DOWLET Довлет BATYR Батыр MAKSAT Максат ANNAMURAT Аннамурат "
            "REJEP Реджеп GURBAN Гурбан ATAJAN Атаджан MYRAT Мурат",
            "OGULGEREK Огулгерек AYNUR Айнур JEREN Джерен MAYA Мая AYNA Айна SELBI Сельби ENEJAN Энеджан "
            "BAHAR Бахар LEYLI Лейли GOZEL Гозель",
            "ANNAYEW Аннаев BERDIYEW Бердыев ORAZOW Оразов DURDYYEW Дурдыев ATAYEW Атаев GURBANOW Гурбанов "
            "HOJAYEW Ходжаев CARYYEW Чарыев",
        ),
        _tradition(
            "mongolian",
            "BATBAYAR Батбаяр GANBOLD Ганболд ENKHBAYAR Энхбаяр TUMUR Төмөр ERDENEBAT Эрдэнэбат "
            "GANTULGA Гантулга TEMUULEN Тэмүүлэн BATBOLD Батболд BAATAR Баатар OCHIR Очир",
            "OYUUN Оюун ENKHJARGAL Энхжаргал NARANTUYA Нарантуяа ALTANTSETSEG Алтанцэцэг SOLONGO Солонго "
            "TSETSEG Цэцэг ANUJIN Анужин KHULAN Хулан",
            "BATBOLD Батболд GANBAATAR Ганбаатар TSEND Цэнд DORJ Дорж BAATAR Баатар PUREV Пүрэв LUVSAN Лувсан "
            "NYAMDORJ Нямдорж OCHIR Очир",
            inflect=False,
        ),
        _tradition(
            "georgian",
            "GIORGI DAVIT LUKA NIKA LEVAN IRAKLI ZURAB",
            "NINO MARIAM ANA TAMAR KETEVAN SALOME ELENE",
            "BERIDZE KAPANADZE GELASHVILI MAISURADZE GIORGADZE LOMIDZE TSIKLAURI BOLKVADZE NOZADZE",
            inflect=False,
        ),
        _tradition(
            "moldovan",
            "ION VASILE ANDREI MIHAI NICOLAE SERGIU",
            "MARIA ELENA ANA CRISTINA NATALIA OLGA",
            "ROTARU CEBAN RUSU MUNTEANU CIOBANU LUNGU",
            inflect=False,
        ),
        _tradition(
            "chinese",
            "WEI JUN HAO LEI QIANG MING JIAN TAO YONG BO CHAO PENG ZHIWEI JIANHUA XIAOLONG HAOYU",
            "FANG LI JING YAN MIN XIU YING HUI LING NA XUE MEI XIAOYAN JINGJING",
            "WANG LI ZHANG LIU CHEN YANG ZHAO HUANG ZHOU WU XU SUN MA ZHU HU GUO HE LIN LUO GAO",
            inflect=False,
        ),
        _tradition(
            "turkish",
            "MEHMET MUSTAFA AHMET ALI EMRE BURAK MURAT HASAN YUSUF OMER HUSEYIN IBRAHIM OSMAN KEMAL",
            "AYSE FATMA ZEYNEP ELIF EMINE MERVE ESRA HATICE BUSRA OZLEM SEVGI ZEHRA",
            "YILMAZ KAYA DEMIR SAHIN CELIK YILDIZ AYDIN OZTURK ARSLAN DOGAN KILIC ASLAN CETIN KARA KOC",
            inflect=False,
            second_given=0.1,
        ),
        _tradition(
            "indian",
            "RAHUL AMIT VIKRAM ARJUN ROHAN SANJAY RAVI ANIL SURESH KARTHIK MOHAMMED IMRAN",
            "PRIYA ANJALI NEHA POOJA DIVYA KAVYA SNEHA LAKSHMI MEERA AISHWARYA",
            "SHARMA PATEL SINGH KUMAR GUPTA REDDY NAIR IYER RAO DAS KHAN JOSHI",
            inflect=False,
            single_name=0.02,
        ),
        _tradition(
            "persian",
            "REZA ALI MOHAMMAD HOSSEIN AMIR MEHDI SAEED HAMID ARASH BABAK",
            "MARYAM FATEMEH ZAHRA SARA NARGES LEILA SHIRIN PARISA NAZANIN MINA",
            "HOSSEINI AHMADI MOHAMMADI REZAEI KARIMI MORADI JAFARI RAHIMI KAZEMI",
            inflect=False,
        ),
        _tradition(
            "afghan",
            "AHMAD MOHAMMAD ABDUL FARID NASIR HAMID WAHID RAHIM SAYED ZABIHULLAH",
            "FATIMA ZAINAB MARZIA MARIAM NASRIN SHABNAM FARZANA ROYA PARWANA MALALAI",
            "AHMADZAI POPAL SAFI NOORI HAKIMI SULTANI WARDAK STANEKZAI RAHIMI",
            inflect=False,
            single_name=0.05,
        ),
        _tradition(
            "pakistani",
            "MUHAMMAD ALI AHMED HASSAN USMAN BILAL IMRAN FAISAL ZAIN UMAR",
            "AYESHA FATIMA SANA HINA MARIA ZARA SADIA NIDA",
            "KHAN AHMED MALIK CHAUDHRY BUTT QURESHI SHEIKH RAJA IQBAL SIDDIQUI",
            inflect=False,
        ),
        _tradition(
            "german",
            "THOMAS MICHAEL ANDREAS STEFAN ALEXANDER MARKUS JAN LUKAS FLORIAN DANIEL",
            "ANNA JULIA SABINE KATHARINA LAURA LENA CLAUDIA SARAH LISA MARIA",
            "MUELLER SCHMIDT SCHNEIDER FISCHER WEBER MEYER WAGNER BECKER SCHULZ HOFFMANN",
            inflect=False,
            second_given=0.2,
        ),
        _tradition(
            "english",
            "JAMES JOHN ROBERT MICHAEL DAVID WILLIAM RICHARD JOSEPH THOMAS DANIEL",
            "MARY PATRICIA JENNIFER LINDA ELIZABETH SARAH JESSICA EMILY",
            "SMITH JOHNSON WILLIAMS BROWN JONES MILLER DAVIS WILSON ANDERSON TAYLOR",
            inflect=False,
            second_given=0.3,
        ),
        _tradition(
            "french",
            "PIERRE JEAN NICOLAS JULIEN THOMAS ANTOINE",
            "MARIE CAMILLE JULIE CLAIRE SOPHIE",
            "MARTIN BERNARD DUBOIS THOMAS ROBERT PETIT DURAND LEROY",
            inflect=False,
            second_given=0.25,
        ),
        _tradition(
            "italian",
            "MARCO LUCA GIUSEPPE ALESSANDRO FRANCESCO",
            "GIULIA FRANCESCA CHIARA SARA",
            "ROSSI RUSSO FERRARI ESPOSITO BIANCHI ROMANO COLOMBO",
            inflect=False,
        ),
        _tradition(
            "korean",
            "MINJUN SEOJUN DOYUN JIHO JUNWOO HYUNWOO JIHOON",
            "SEOYEON JIWOO SEOYUN HAYOON MINSEO JIYOO",
            "KIM LEE PARK CHOI JUNG KANG CHO YOON JANG LIM",
            inflect=False,
        ),
        _tradition(
            "japanese",
            "HIROSHI TAKESHI KENJI YUTO HARUTO SOTA",
            "YUKI AOI HINA SAKURA YUI",
            "SATO SUZUKI TAKAHASHI TANAKA WATANABE ITO",
            inflect=False,
        ),
    )
}
"""Every naming tradition, by key."""
