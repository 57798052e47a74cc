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

**Head and tail.** :data:`TRADITIONS` holds, per tradition, a short hand-written head:
the commonest names, roughly in order of frequency. :func:`vocabulary` adds a long
generated tail and gives every name its share of people. Why: real name frequencies are
Zipf-like with a long tail, and drawing uniformly from tens of names made about ten times
too many *different* people share surname, given names, birth date and nationality (17,432
pairs in 1,000,000 + 1,000,000 linkage records, :func:`koshi.synth.linkage.identity_collisions`,
against 500-600 now), so no linkage could tell a person's two documents from two namesakes.

**Frequencies.** Shares follow ``(rank + q) ** -s`` (Zipf-Mandelbrot, :func:`zipf_shares`),
fitted per list to two figures: the commonest name's share and the share of the top ``k``
(:data:`CALIBRATION`). The figures are illustrative, reasoned from what national name
statistics generally show, not estimates:

- Russian: a few hundred given names in use, the top 20 carry about half of people
  (Aleksandr some 7% of men); about 250,000 surnames, the top 100 about 22% (Ivanov,
  Smirnov about 1% each). Ukrainian alike, surnames more spread (-ENKO, -CHUK...).
- Uzbek, Tajik, Kyrgyz, Kazakh: given names more concentrated, the top 50 carry 50-60%.
  Surnames are a father's or grandfather's given name plus -OV/-EV (Tajik also -ZODA and
  -I; Kazakh also -ULY/-KYZY as one word, 5% of people; Kyrgyz UULU/KYZY, 20%), so they
  come from a few hundred names: the top 20 carry 22-30%.
- Chinese: few surnames (the top 100 carry 85%, Wang and Li 7-8% each) but given names of
  one or two syllables from thousands of combinations (the top 100 about 25%). Korean:
  Kim 21%, the top 10 surnames 64%. Mongolian passports print the father's given name as
  the surname, so surnames follow the men's given names.
- Azerbaijani surnames are very concentrated (Mammadov, Aliyev...: the top 10 about half);
  Armenian, Turkmen and the small traditions: commonest given name 6-7%, top 10 40-45%.

**How tails are made.** From roots and endings in the tradition's own script: Russian
surnames are possessives (-ов/-ев/-ин, :func:`possessive`) of given names, pet names,
trades, animals and adjectives, compounds (Белоусов), -ский forms and, for the rare end,
invented but Russian-sounding stems; Ukrainian ones end in -енко/-чук/-юк; Kazakh, Kyrgyz,
Uzbek, Tajik and Mongolian given names are also compounds (Нұр+бол, Ай+гүл, Бат+эрдэнэ) and
their surnames come from fathers' names (:func:`turkic_surname`); Chinese, Korean and
Japanese names from syllables; Turkish, German, English, French surnames from roots. The
Latin is then written the way the tradition's passports do: :func:`~koshi.documents.translit.to_latin`
(ICAO) for Russian, Kazakh and Kyrgyz (whose practice is ICAO-like; its own letters Ң Ө Ү
are written as Kazakhstan's), and :data:`UKRAINIAN`, :data:`UZBEK`, :data:`TAJIK`,
:data:`MONGOLIAN` for the others; Armenian, Azerbaijani and Turkmen tails are written as
pairs, like their heads. The Latin and Cyrillic of every generated name fold to one
:func:`~koshi.documents.translit.match_key`, and so does every transliteration variant
:mod:`koshi.synth.corrupt` writes: names that would not (Г written H, Д before a soft vowel
in German style, Ў written O, Ё after a vowel) are left out of the tails, so that only
hand-written national spellings (MAMMADOV Мамедов) do not fold. Tails are built without
randomness, once per process (about a third of a second for all traditions): the same
seed draws the same names.

Examples:
    >>> TRADITIONS["russian"].female[3]
    ('NATALIA', 'Наталья')
    >>> feminine_surname("IVANOV", "Иванов"), feminine_surname("KOVALSKII", "Ковальский")
    (('IVANOVA', 'Иванова'), ('KOVALSKAIA', 'Ковальская'))
    >>> male = vocabulary("uzbek").given["M"]
    >>> male.names[0], len(male) > 200, round(float(male.shares[:50].sum()), 2)
    (('OTABEK', 'Отабек'), True, 0.55)
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from koshi.documents.translit import ICAO_CYRILLIC, KAZAKH, match_key, to_latin

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
    ``patronymic``: share of people whose surname is the father's name plus UULU/KYZY
    (``joined_patronymic``: written as one word with -ULY/-KYZY, the Kazakh way).
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
    joined_patronymic: bool = False


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
    joined_patronymic: bool = False,
) -> Tradition:
    return Tradition(
        key,
        _pairs(male),
        _pairs(female),
        _pairs(surnames),
        inflect,
        second_given,
        patronymic,
        single_name,
        joined_patronymic,
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
JOINED_PATRONYMIC_SUFFIX: dict[str, Name] = {"M": ("ULY", "ұлы"), "F": ("KYZY", "қызы")}
"""Kazakh patronymic surnames (a growing practice since the 1990s): the father's given name and -ULY / -KYZY."""

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
            patronymic=0.05,
            joined_patronymic=True,
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


# --- the long tail --------------------------------------------------------------------------------

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Frequencies:
    """How concentrated one list of names is: the commonest name's share, and the share of the ``top`` commonest."""

    first: float
    top: int
    share: float

    def __post_init__(self) -> None:
        if not (0.0 < self.first <= self.share <= 1.0 and self.top >= 1 and self.first * self.top >= self.share):
            raise ValueError(f"inconsistent frequencies {self}: need 0 < first <= share <= 1 and first * top >= share")


_Q_GRID = np.concatenate([[0.0], np.geomspace(1e-3, 1e5, 240)])


def zipf_shares(n: int, freq: Frequencies) -> FloatArray:
    """Shares of ``n`` names by rank, ``∝ (rank + q) ** -s`` (Zipf-Mandelbrot), fitted to ``freq``.

    ``s`` and ``q`` are solved so that the first name has ``freq.first`` and the
    ``freq.top`` first names ``freq.share`` (the tail beyond them is summed as an
    integral while solving, then every share is computed exactly and normalised). A list
    too short for the target gets as close as its length allows.

    >>> p = zipf_shares(500, Frequencies(first=0.07, top=20, share=0.5))
    >>> round(float(p[0]), 3), round(float(p[:20].sum()), 3), round(float(p.sum()), 9)
    (0.07, 0.5, 1.0)
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    top = min(freq.top, n)
    share = freq.share if n > freq.top else 1.0
    k = np.arange(1, top + 1, dtype=np.float64)
    ratio = freq.first / share  # the first name's part of the top names

    def offset(s: float) -> float:
        w = (k[None, :] + _Q_GRID[:, None]) ** -s
        r = w[:, 0] / w.sum(axis=1)  # decreasing in q
        if ratio >= r[0]:
            return 0.0
        if ratio <= r[-1]:
            return float(_Q_GRID[-1])
        return float(np.interp(ratio, r[::-1], _Q_GRID[::-1]))

    def top_share(s: float) -> tuple[float, float]:
        q = offset(s)
        head = float(((k + q) ** -s).sum())
        a, b = top + 0.5 + q, n + 0.5 + q
        tail = float(np.log(b / a) if abs(s - 1.0) < 1e-9 else (b ** (1 - s) - a ** (1 - s)) / (1 - s))
        return head / (head + tail), q

    lo, hi = 0.0, 12.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if top_share(mid)[0] < share else (lo, mid)
    s = (lo + hi) / 2
    q = top_share(s)[1]
    w = (np.arange(1, n + 1, dtype=np.float64) + q) ** -s
    return np.asarray(w / w.sum(), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Calibration:
    """The frequencies of a tradition's men's and women's given names and of its surnames."""

    male: Frequencies
    female: Frequencies
    surnames: Frequencies


def _cal(
    male: tuple[float, int, float], female: tuple[float, int, float], surnames: tuple[float, int, float]
) -> Calibration:
    return Calibration(Frequencies(*male), Frequencies(*female), Frequencies(*surnames))


@dataclass(frozen=True, slots=True)
class _Tail:
    """A tradition's generated names beyond the hand-written ones, in rank order (masculine surnames)."""

    male: Sequence[Name]
    female: Sequence[Name]
    surnames: Sequence[Name]


_GIVEN = (0.06, 10, 0.4)
_FAMILY = (0.03, 10, 0.2)

# fmt: off
CALIBRATION: dict[str, Calibration] = {
    "russian": _cal((0.07, 20, 0.5), (0.06, 20, 0.5), (0.012, 100, 0.22)),
    "ukrainian": _cal((0.06, 20, 0.5), (0.06, 20, 0.5), (0.006, 100, 0.2)),
    "kazakh": _cal((0.03, 50, 0.5), (0.03, 50, 0.5), (0.02, 20, 0.22)),
    "uzbek": _cal((0.04, 50, 0.55), (0.04, 50, 0.55), (0.03, 20, 0.3)),
    "kyrgyz": _cal((0.03, 50, 0.5), (0.03, 50, 0.5), (0.025, 20, 0.25)),
    "tajik": _cal((0.05, 50, 0.6), (0.035, 50, 0.55), (0.03, 20, 0.3)),
    "armenian": _cal((0.07, 10, 0.45), (0.07, 10, 0.45), (0.04, 10, 0.3)),
    "azerbaijani": _cal(_GIVEN, _GIVEN, (0.12, 10, 0.5)),
    "turkmen": _cal(_GIVEN, _GIVEN, (0.05, 10, 0.35)),
    "mongolian": _cal((0.02, 50, 0.35), (0.02, 50, 0.35), (0.02, 50, 0.35)),
    "chinese": _cal((0.01, 100, 0.25), (0.01, 100, 0.25), (0.075, 100, 0.85)),
    "korean": _cal((0.01, 50, 0.2), (0.01, 50, 0.2), (0.21, 10, 0.64)),
    "japanese": _cal((0.015, 20, 0.2), (0.015, 20, 0.2), (0.015, 100, 0.35)),
    "turkish": _cal(_GIVEN, _GIVEN, (0.03, 20, 0.2)),
}
# fmt: on
"""Frequencies by tradition (the others: commonest given name 6%, top 10 40%; surname 3%, top 10 20%)."""


def calibration(key: str) -> Calibration:
    """The frequencies of one tradition's names (see :data:`CALIBRATION`)."""
    return CALIBRATION.get(key, _cal(_GIVEN, _GIVEN, _FAMILY))


# --- writing generated names in Latin ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Script:
    """A national romanisation of Cyrillic: letters, their forms at the start of a word (or after ``glide``)."""

    letters: Mapping[str, str]
    initial: Mapping[str, str]
    glide: str = ""
    before: tuple[tuple[str, str], ...] = ()  # rewrites of the Cyrillic first

    def latin(self, cyrillic: str) -> str:
        text = cyrillic.upper()
        for old, new in self.before:
            text = text.replace(old, new)
        table = {**ICAO_CYRILLIC, **KAZAKH, **self.letters}
        out: list[str] = []
        prev = " "
        for char in text:
            if char in self.initial and (not prev.isalpha() or prev in self.glide):
                out.append(self.initial[char])
            else:
                out.append(table.get(char, char))
            prev = char
        return "".join(out)


_VOWELS_CYR = "АЕЁИОУЫЭЮЯІЇЄӘӨҰҮЎӮӢ"

UKRAINIAN = Script(
    {"Г": "H", "Ґ": "G", "Є": "IE", "И": "Y", "І": "I", "Ї": "I", "Й": "I", "Ю": "IU", "Я": "IA", "'": ""},
    {"Є": "YE", "Ї": "YI", "Й": "Y", "Ю": "YU", "Я": "YA"},
)
"""Ukraine's 2010 national table (word-initial Є Ї Й Ю Я as YE YI Y YU YA)."""
UZBEK = Script(
    {"Ж": "J", "Й": "Y", "Ё": "YO", "Ю": "YU", "Я": "YA", "Х": "X", "Ҳ": "H", "Қ": "Q", "Ғ": "G", "Ў": "O",
     "Ъ": "", "Ь": ""},
    {"Е": "YE"},
    glide=_VOWELS_CYR,
)  # fmt: skip
"""Uzbek Latin (1995) without diacritics: Х X, Ҳ H, Қ Q, Ж J, Е after a vowel YE (Абдуллаев ABDULLAYEV)."""
TAJIK = Script(
    {"Ж": "ZH", "Й": "Y", "Ё": "YO", "Ю": "YU", "Я": "YA", "Х": "KH", "Ҳ": "H", "Қ": "Q", "Ғ": "G", "Ҷ": "J",
     "Ӣ": "I", "Ӯ": "U", "Ъ": "", "Ь": ""},
    {"Е": "YE"},
)  # fmt: skip
"""Tajik passports' Latin: Ҷ J, Ҳ H, Х KH, Қ Q, Ӣ I, Ӯ U (Мирзоев MIRZOEV, Ҷамшед JAMSHED)."""
MONGOLIAN = Script(
    {"Ө": "O", "Ү": "U", "Х": "KH", "Ж": "J", "Й": "I", "Е": "YE", "Ё": "YO", "Ю": "YU", "Я": "YA"},
    {},
    before=(("ЯА", "Я"),),
)
"""Mongolian passports (MNS 5217 as printed): Ө O, Ү U, Ж J, final -ЯА as YA (Нарантуяа NARANTUYA)."""


def _icao(cyrillic: str) -> str:
    return to_latin(cyrillic)


def _in(script: Callable[[str], str], words: str) -> list[Name]:
    """Cyrillic words with their Latin form by ``script``."""
    return [(script(w), w) for w in words.split()]


def _latin(words: str) -> list[Name]:
    return [(w, None) for w in words.split()]


def _scrambled(names: Iterable[Name]) -> list[Name]:
    """A fixed, hash-ordered mix of ``names`` (for ranks within a group of equally plausible names)."""
    return sorted(names, key=lambda n: zlib.crc32(n[0].encode()))


def _product(
    parts: Sequence[Sequence[str]], limit: int, accept: Callable[[tuple[str, ...]], bool]
) -> list[tuple[str, ...]]:
    """Up to ``limit`` accepted combinations of ``parts``, visited in a fixed scrambled order."""
    sizes = [len(p) for p in parts]
    total = math.prod(sizes)
    stride = 1_000_003
    while math.gcd(stride, total) != 1:
        stride += 2
    out: list[tuple[str, ...]] = []
    for i in range(total):
        j = (i * stride) % total
        combo = []
        for part, size in zip(parts, sizes, strict=True):
            j, r = divmod(j, size)
            combo.append(part[r])
        c = tuple(combo)
        if accept(c):
            out.append(c)
            if len(out) >= limit:
                break
    return out


def _compounds(
    heads: str, tails: str, script: Callable[[str], str] | None = None, *, merge: bool = False
) -> list[Name]:
    """Every head + tail (Cyrillic through ``script``, or Latin) but a part with itself (Айай).

    ``merge``: a letter ending the head and starting the tail is written once (BAUM + MANN → BAUMANN).
    """
    out: list[Name] = []
    for h in heads.split():
        for t in tails.split():
            if h.lower() == t.lower():
                continue
            word = h + (t[1:] if merge and h[-1].lower() == t[0].lower() else t)
            out.append((script(word), word) if script else (word.upper(), None))
    return out


# --- surnames from names -------------------------------------------------------------------------

_HUSHING = "жшчщц"


def possessive(base: str) -> str:
    """The Russian surname from a word: Волк → Волков, Медведь → Медведев, Сорока → Сорокин, Дмитрий → Дмитриев.

    >>> [possessive(w) for w in ("Волк", "Гусь", "Ткач", "Чиж", "Синица", "Илья", "Василий", "Шило", "Сергей")]
    ['Волков', 'Гусев', 'Ткачев', 'Чижов', 'Синицын', 'Ильин', 'Васильев', 'Шилов', 'Сергеев']
    """
    w = base
    last = w[-1].lower()
    if w.lower().endswith("ий"):
        cluster = len(w) > 3 and w[-4].lower() not in "аеёиоуыэюя"
        return w[:-2] + ("иев" if cluster else "ьев")
    if last in "йь":
        return w[:-1] + "ев"
    if last in "ая":
        stem = w[:-1]
        return stem + ("ын" if stem[-1].lower() == "ц" else "ин")
    if last == "о":
        return w[:-1] + "ов"
    if last in "чщ":
        return w + "ев"
    return w + "ов"


def turkic_surname(given: str) -> str:
    """A Central Asian surname from a (grand)father's name, Russian style: Нұрлан → Нұрланов, Абдулла → Абдуллаев.

    >>> turkic_surname("Нұрлан"), turkic_surname("Абдулла"), turkic_surname("Абай"), turkic_surname("Ҳасан")
    ('Нұрланов', 'Абдуллаев', 'Абаев', 'Ҳасанов')
    """
    last = given[-1].lower()
    if last in "йь":
        return given[:-1] + "ев"
    if last in _VOWELS_CYR.lower():
        return given + "ев"
    return given + "ов"


def _latin_surname(name: Name, ov: str, ev: str) -> Name:
    """A surname in -ов/-ев from a (Latin, Cyrillic) name pair in a national Latin (AMAN Аман → AMANOW Аманов)."""
    latin, cyr = name
    vowel = latin[-1] in "AEIOUY"
    cyr_s = None if cyr is None else turkic_surname(cyr)
    return latin + (ev if vowel else ov), cyr_s


def _derived(script: Callable[[str], str], names: Iterable[Name], make: Callable[[str], str]) -> list[Name]:
    """``make`` of each Cyrillic name (a surname from a father's name), with its Latin by ``script``."""
    return [(script(word), word) for word in (make(cyr) for _, cyr in names if cyr is not None)]


# --- materials: Slavic ---------------------------------------------------------------------------

_RU_MALE = (
    "Анатолий Антон Аркадий Арсений Артур Богдан Борис Вадим Валентин Валерий Василий Вениамин Виталий Владислав "
    "Всеволод Геннадий Георгий Герман Глеб Гордей Даниил Давид Демид Егор Елисей Ефим Захар Игорь Игнат Иннокентий "
    "Кузьма Лев Леонид Лука Макар Марк Матвей Мирон Мирослав Назар Наум Остап Пётр Платон Прохор Родион Ростислав "
    "Руслан Савва Савелий Святослав Семён Станислав Степан Тарас Тимофей Тимур Тихон Трофим Фёдор Феликс Филипп "
    "Эдуард Эльдар Эмиль Эрик Юлиан Яков Ян Ярослав Альберт Афанасий Гавриил Данила Евдоким Ефрем Зиновий Игнатий "
    "Илларион Климент Кондрат Корней Лаврентий Леон Мартын Никифор Порфирий Ратмир Роберт Рудольф Самуил Серафим "
    "Спартак Ульян Фома Харитон Юлий Ермолай Емельян Архип Венедикт Анисим Фрол Пахом Прокопий Евсей Любомир Аким "
    "Антип Демьян Елизар Ерофей Капитон Лазарь Лукьян Мефодий Мстислав Нестор Никон Осип Панкрат Потап Сидор "
    "Спиридон Устин Федот Феофан Филимон"
)
_RU_FEMALE = (
    "Алёна Алиса Алла Ангелина Анжелика Антонина Арина Валерия Варвара Василиса Вероника Галина Диана Дина Ева "
    "Елизавета Есения Жанна Злата Зинаида Зоя Инна Карина Кира Кристина Лариса Лидия Лилия Любовь Майя Маргарита "
    "Милана Мирослава Надежда Нина Оксана Олеся Раиса Регина Римма Снежана Стефания Таисия Тамара Ульяна Эвелина "
    "Эльвира Яна Ярослава Агата Аксинья Алевтина Анфиса Белла Богдана Виолетта Влада Владислава Глафира Дарина "
    "Евдокия Зарина Изабелла Инга Камилла Капитолина Клавдия Лада Лана Леся Лина Любава Мила Нелли Нонна Пелагея "
    "Рената Роза Серафима Станислава Стелла Фаина Элеонора Эмилия Юлиана Ника Прасковья Устинья Эльза Аглая "
    "Василина Доминика Ефросинья Ираида Каролина Любомира Марфа Матрёна Мирра Нинель Олимпиада Розалия Сабина "
    "Эмма Юна"
)
_RU_READY = (
    "Воробьёв Муравьёв Пугачёв Лихачёв Рогачёв Горбачёв Королёв Журавлёв Скворцов Стрельцов Огурцов Купцов Молодцов "
    "Кудрявцев Кравцов Богомолов Виноградов Щеглов Тургенев Лермонтов Чернышёв Малышев Сторожев Кривошеев Хлебников "
    "Рукавишников Колокольцев Пестов Ежов Чижов Ершов Орехов Бобров Щербаков Жданов Третьяков Шестаков Абрамов "
    "Вознесенский Преображенский Рождественский Успенский Покровский Троицкий Никольский Введенский Знаменский "
    "Спасский Архангельский Богословский Благовещенский Воскресенский Сретенский Смоленский Каменский Полянский "
    "Островский Загорский Вишневский Жуковский Заболоцкий Зеленский Ковалевский Красовский Маковский Малиновский "
    "Новицкий Ольшанский Поплавский Ровинский Савицкий Сосновский Яблонский Липницкий Грановский Сокольский "
    "Дубровский Лозинский Ясинский Соколовский Лебединский Глинский Вяземский Белинский"
)
_RU_NAME_BASES = (
    "Агафон Аким Антон Анисим Архип Афанасий Богдан Вавила Варлам Глеб Гурий Давыд Демид Демьян Дорофей Евдоким "
    "Евсей Емельян Еремей Ерофей Ефим Игнат Игнатий Исай Карп Клим Кондрат Лаврентий Лазарь Леонтий Лукьян Макар "
    "Максим Мартын Матвей Мирон Моисей Назар Наум Нестор Никифор Никон Осип Панкрат Пахом Потап Прохор Родион "
    "Савелий Самсон Сидор Спиридон Тарас Терентий Тимофей Тихон Трофим Устин Федот Филат Филимон Филипп Фрол "
    "Харитон Анатолий Арсений Валерий Виталий Евгений Дмитрий Юрий Кузьма Фома Никита Илья Савва "
    "Данила Гаврила Лука Мина Фока Ерёма Антип Ермолай Андрей Сергей Алексей Николай Денис Кирилл Захар Степан "
    "Роман Ждан Булат Нефёд Гордей Еремей Ефрем Сысой Ипат Кузьма Меркул Мокей Нил Овсей Пимен Прокоп Селиван Силантий"
)
_RU_PET_NAMES = (
    "Ваня Ванюша Ванька Петруша Петрушка Сеня Сенька Гриша Гришка Митя Митька Тимоха Тимоша Тимошка Фомка Кузя "
    "Миша Мишка Саша Сашка Паша Пашка Колька Федя Федька Алёша Лёша Лёшка Вася Васька Женя Кеша Костя Лёня Лёнька "
    "Стёпа Стёпка Тёма Толя Юра Юрка Яша Яшка Андрюша Борька Гоша Гошка Егорка Захарка Илюша Кирюша Климка Лукаша "
    "Матюша Мотя Никиша Никишка Оська Прошка Савка Сёмка Тишка Фролка Антошка Афоня Гаврюша Ерёмка Ефимка Игнашка "
    "Макарка Назарка Проня Сидорка Федотка Филька Данилка Ерошка Петя Сёма Гурка Ивашка Кузька Лаврушка "
    "Пахомка Родя Савушка Тараска Тереша Шурка Шура Вова Вовка Володя Гена Генка Дима Димка Слава Славка Толька Юша "
    "Ярошка Ерёма Сенюта Митюха Ванюха Гриня Прохорка Тимоня Степура Кузема Мишура"
)
_RU_NOUNS = (
    "Волк Медведь Чиж Жук Гусь Ворон Голубь Коршун Ястреб Сыч Грач Снегирь Кот Баран Бык Карась Окунь Налим Сом "
    "Щука Сорока Ворона Галка Белка Синица Кукушка Муха Блоха Соболь Куница Лось Конь Дрозд Журавль Петух Гусак "
    "Кобыла Телега Колесо Топор Молот Гвоздь Лопата Кочерга Ложка Ковш Серп Кнут Шило Кафтан Шуба Шапка Калач Каша "
    "Блин Пирог Квас Масло Сахар Репа Лук Капуста Редька Горох Ячмень Липа Берёза Дуб Клён Сосна Рябина Калина "
    "Малина Вишняк Гриб Луг Снег Буран Гром Мельник Плотник Гончар Бондарь Пономарь Кожевник Рыбак Пастух "
    "Сапожник Кучер Ткач Мясник Токарь Писарь Лекарь Бурлак Ямщик Столяр Староста Голова Сотник Пушкарь "
    "Солдат Казак Князь Царь Косарь Конюх Дегтярь Котельник Калашник Серебряник Золотарь Шорник Бочар Скорняк "
    "Перевозчик Охотник Сокольник Новик Чайка Сова Стриж Глухарь Рак Лещ Судак Крот Хорь Ласка Кречет Беркут Пчела "
    "Шмель Паук Барсук Бугай Горбун Кудряш Малыш Крепыш Силач Богатырь Зуб Нос Усач Бородач Губа Лоб Колокол Звон "
    "Пряник Кисель Сухарь Бубен Гусля Дудка Свирель Жаворонок Трава Мох Камыш Тростник Осока Полынь Крапива"
)
_RU_ADJECTIVES = (
    "Черн Сер Рыж Сед Лыс Толст Быстр Весел Крут Красн Широк Глух Кос Сух Долг Крив Мал Добр Хитр Мудр Бодр Храбр "
    "Стар Прост Тих Жив Зелен Молчан Горд Свет Ясн Румян Буян Грозн Шустр Мирн Бел"
)
_RU_COMPOUND_HEADS = (
    "Бел Черн Долг Сух Крив Толст Кос Рыж Сед Кругл Добр Нов Стар Мал Красн Сер Лыс Прям Тонк Хром Гол Ясн Свет Тверд"
)
_RU_COMPOUND_TAILS = "ус глаз голов бород нос зуб рук ног лоб бров ух плеч губ бок лап рог хвост пол горб двор"
# syllables of invented but Russian-sounding surnames (onset+vowel, consonant, vowel, final)
_RU_S1 = (
    "ба бо бу бе ва во ве га го гу да до ду де жу жи за зо ка ко ку ла ло лу ле ли ма мо му ме ми на но не ни па "
    "по пу пе пи ра ро ру ре ри са со су се си та то ту те ти фе фо ха хо ху ча чу че чи ша шу ше бра бро гла гра "
    "гро дро кла кра кро пла пра про сва сла сло сма сна ста сто тра тро хра шва"
)
_RU_C = "б в г д ж з к л м н п р с т х ч ш"
_RU_V = "а о у и е ы"
_RU_F = "к л н р с т в м х д ш ч"


def _russian_invented(limit: int) -> list[Name]:
    def ok(c: tuple[str, ...]) -> bool:
        s1, c2, v2, f, _ = c
        return not (v2 == "ы" and c2 in "гкхжшч") and c2 != f and s1[-2:-1] != c2

    out: list[Name] = []
    for s1, c2, v2, f, e in _product(
        (*(p.split() for p in (_RU_S1, _RU_C, _RU_V, _RU_F)), ("ов", "ов", "ин", "ский", "ов")), limit, ok
    ):
        stem = (s1 + c2 + v2 + f).capitalize()
        if e == "ский" and f not in "нрвмс":
            e = "ин" if f in "гкх" else "ов"
        if e == "ов" and f in "чщ":
            e = "ев"
        word = stem + e
        out.append((to_latin(word), word))
    return out


def _russian() -> _Tail:
    bases = [possessive(w) for w in (*_RU_NAME_BASES.split(), *_RU_PET_NAMES.split(), *_RU_NOUNS.split())]
    bases += [a + "ов" for a in _RU_ADJECTIVES.split()]
    real = _scrambled([(to_latin(w), w) for w in (*_RU_READY.split(), *bases)])
    skii = [(to_latin(w + "ский"), w + "ский") for _, w in real[::5] if w and w.endswith(("ов", "ин"))]
    compounds = [
        (to_latin(w), w)
        for w in (
            h + ("е" if h[-1] in _HUSHING else "о") + tail + "ов"
            for h in _RU_COMPOUND_HEADS.split()
            for tail in _RU_COMPOUND_TAILS.split()
        )
    ]
    return _Tail(
        _in(_icao, _RU_MALE),
        _in(_icao, _RU_FEMALE),
        [*real, *_scrambled([*skii, *compounds]), *_russian_invented(7000)],
    )


_UK_MALE = (
    "Анатолій Антон Арсен Артем Борис Вадим Валентин Валерій Василь Віталій Всеволод Данило Денис Захар Ілля Кирило "
    "Костянтин Левко Леонід Матвій Мирон Мирослав Назар Олексій Остап Павло Петро Роман Ростислав Руслан Святослав "
    "Семен Станіслав Степан Тарас Тимофій Трохим Федір Юліан Ярема Ярослав Вікентій Демид Зиновій Кузьма Микита "
    "Панас Пилип Северин Спиридон Устим Лука Марко Арсеній Веніамін Едуард Зенон Іларіон Йосип Карпо Климент Лаврін "
    "Любомир Мартин Мефодій Никифор Олесь Омелян Орест Охрім Прокіп Радим Роберт Самійло Софрон Тиміш Устин Фелікс "
    "Філіп Харитон Яків"
)
_UK_FEMALE = (
    "Алла Анастасія Валентина Валерія Віра Вікторія Дарина Діана Єлизавета Зоряна Інна Христина Лариса "
    "Леся Любов Мирослава Надія Ніна Олександра Поліна Раїса Романа Софія Соломія Уляна Ярослава Антоніна "
    "Віолета Дана Злата Зінаїда Клавдія Лідія Мілана Нонна Олеся Стефанія Таїсія Вероніка Марина Ніка Кіра Аліна "
    "Аліса Божена Василина Влада Домініка Емілія Єва Жанна Зоя Іванна Ілона Карина Ліана Лілія Марта "
    "Орися Роксолана Руслана Таміла Тамара Фаїна Ярина"
)
_UK_ENKO = (
    "Ковал Бондар Шевч Кравч Ткач Петр Іван Павл Марч Сидор Кузьм Остап Мирон Степан Юрч Левч Лис Руд Савч Назар "
    "Тимош Карп Кирил Демч Федор Яков Прокоп Стец Панч Пономар Семен Максим Мороз Клим Симон Оніщ Вакул Зінч "
    "Тарас Кучер Литвин Мартин Хом Вовч Дорош Кост Ярем Тищ Пилип Охрім Кондрат Нестер Кирич Давид Ющ Кушнір "
    "Мельнич Шевел Бабч Васил Проц Рибач Нікіт Фом Тимч Мирошнич Ярош Романч Влас Зайч Шульж Дмитр Ляш"
)
_UK_CHUK = "Крав Сав Мар Клим Остап Пилип Тим Дем Лев Юр Сем Пан Дан Мель Філ Вас Фед"
_UK_YUK = (
    "Мартин Роман Стефан Павл Семен Тарас Панас Мирон Іван Максим Кирил Данил Васил Федор Михал Назар Степан Ярем "
    "Ничипор Антон Калин Ковал Остап"
)
_UK_S1 = (
    "ба бо бу бе ва во ве да до ду де за зо ка ко ку ла ло лу ле лі ма мо му ме мі на но не ні па по пу пе пі ра "
    "ро ру ре рі са со су се сі та то ту те ті фе хо ху ча чу че ша шу ше бра бро кла кра кро пра про сла сто тра "
    "тро"
)
_UK_C = "б в д з к л м н п р с т х ч ш"
_UK_V = "а о у и е і"


def _ukrainian() -> _Tail:
    latin = UKRAINIAN.latin
    real = [w + "енко" for w in _UK_ENKO.split()] + [w + "чук" for w in _UK_CHUK.split()]
    real += [w + "юк" for w in _UK_YUK.split()]

    def ok(c: tuple[str, ...]) -> bool:
        return c[1] != c[3] and c[0][-2:-1] != c[1]

    invented = []
    for s1, c2, v2, c3, e in _product(
        (*(p.split() for p in (_UK_S1, _UK_C, _UK_V, _UK_C)), ("енко", "енко", "енко", "чук", "юк", "ишин")), 2500, ok
    ):
        if e == "юк" and c3 not in "лнрст":
            e = "ук"
        invented.append((s1 + c2 + v2 + c3).capitalize() + e)
    return _Tail(
        _in(latin, _UK_MALE),
        _in(latin, _UK_FEMALE),
        [*_scrambled(_in(latin, " ".join(real))), *_in(latin, " ".join(invented))],
    )


# --- materials: Central Asia and Mongolia --------------------------------------------------------

_KZ_MALE = (
    "Абай Абылай Әділ Әлібек Айбар Айдар Айдын Ақжол Алмас Алпамыс Асылбек Аян Бағдат Бақыт Бақытжан Бейбіт Берік "
    "Бекзат Ғалым Дамир Дархан Дәулет Диас Ербол Ерғали Ерасыл Еркебұлан Еркін Ермек Ернар Ертай Жанболат Жандос "
    "Жасұлан Жақсылық Жомарт Заңғар Ильяс Қайрат Қуаныш Мағжан Мақсат Мейрам Мирас Мұрат Нұрбол Нұржан Нұрсұлтан "
    "Нұрлыбек Олжас Ораз Өмірзақ Рахат Руслан Саят Самат Санжар Серікбол Сұлтан Талғат Темірлан Төлеген Ұлан "
    "Ұлықбек Шыңғыс Ықылас Әлихан Айбек Бекжан Досжан Ерназар Жәнібек Қасым Қасымхан Бақдәулет Есен Тоқтар "
    "Сейтқали Мұқан Оспан Ахмет Омар Сүлеймен Әбен Жұмабай Кенжебай Садық Исабек Аслан Батыр Бекболат Бекнұр "
    "Бердібек Болатбек Дулат Елдос Ерік Жалғас Жанат Жарқын Ислам Қалжан Қанағат Мәди Мадияр Мұхамеджан Нұрдәулет "
    "Нұрым Пернебек Рамазан Расул Рүстем Сағат Сәкен Сырым Тілек Тұрсын Ұзақ Шәкен Әміре Әсет Қуандық Мақсұт Сапар "
    "Ғани Ғабит Смағұл Ыбырай Құдайберген Байжан Серікбай Төлеу Жақсыбек Кенжеғали Шалқар"
)
_KZ_MALE_HEADS = (
    "Нұр Ер Бақ Дос Ай Бек Жан Ақ Ел Әлі Сұлтан Асыл Болат Темір Мұрат Жұма Есен Бай Ораз Тұр Абыл Серік Қайрат "
    "Мақсат Дәулет Ғали"
)
_KZ_MALE_TAILS = "бек жан бол болат хан тай ғали бай берген ғазы нұр сұлтан дос"
_KZ_FEMALE = (
    "Айдана Айым Ақерке Ақнұр Әлия Әсем Балауса Ботагөз Гаухар Дариға Дильназ Жібек Жұлдыз Зарина Зере Индира "
    "Камила Қарлығаш Қымбат Ләззат Мөлдір Назым Перизат Райхан Сабина Сымбат Томирис Ұлжан Ұлпан Фариза Шолпан "
    "Шынар Інжу Әлфия Ақтоты Айару Арайлым Балжан Гүлнар Айсұлу Аружан Ақбота Жанерке Нұргүл Балнұр Гүлшат Гүлдана "
    "Гүлжан Айгүл Мейрамгүл Дәметкен Ақмаржан Күнсұлу Сандуғаш Назгүл Маржан Меруерт Нәзира Раушан Роза Сания "
    "Сәбира Тоғжан Ұлдана Шырын Эльмира Аида Алуа Анар Баян Бибігүл Гүлзада Дамира Жаннат Зейнеп Кәмшат Қарақат "
    "Ләйла Нұрай Нұрсұлу Ұміт Хадиша Әлима Әмина"
)
_KZ_FEMALE_HEADS = "Ай Гүл Ақ Жан Нұр Бал Ару Күн Ұл"
_KZ_FEMALE_TAILS = "гүл жан нұр сұлу дана ерке зада мира сая арай жамал"
_KZ_OLD = (
    "Байжан Жұмабай Кенжебай Серікбай Тоқтар Оспан Мұқан Ғабит Омар Қасым Садық Есен Аман Әбен Жақсыбек Төлеген "
    "Сүлеймен Ахмет Ыбырай Құдайберген Смағұл Ержан Әбдірахман Әбдіғали Әлімжан Бекмұхамбет Ізбасар Жүсіп Ысқақ "
    "Мұса Иса Тұрар Шәріп Тайжан Байғали Мырзағали Жанұзақ Үсен Бектұрған Қожахмет Нұрмағамбет"
)


def _kazakh() -> _Tail:
    t = TRADITIONS["kazakh"]
    male = [*_in(_icao, _KZ_MALE), *_scrambled(_compounds(_KZ_MALE_HEADS, _KZ_MALE_TAILS, _icao))]
    female = [*_in(_icao, _KZ_FEMALE), *_scrambled(_compounds(_KZ_FEMALE_HEADS, _KZ_FEMALE_TAILS, _icao))]
    fathers = [*_in(_icao, _KZ_OLD), *t.male, *_in(_icao, _KZ_MALE)]
    return _Tail(male, female, _derived(_icao, fathers, turkic_surname))


_UZ_MALE = (
    "Абдураҳмон Абдусалом Абдуқодир Абдумалик Абдужалил Абдукарим Абдураҳим Абдуваҳоб Абдуазиз Абдуҳамид Абдурашид "
    "Абдусаттор Абдулатиф Абдужаббор Абдумажид Алишер Анвар Асрор Баҳодир Баҳром Ботир Ғайрат Жаҳонгир Зафар Зоҳид "
    "Иброҳим Илҳом Исмоил Комил Камол Лазиз Мансур Мирзо Муҳаммад Муҳаммадали Мурод Нодир Нуриддин Одил Олим "
    "Равшан Собир Темур Тоҳир Умид Хуршид Шавкат Шуҳрат Эркин Юсуф Ҳасан Ҳусан Ҳамид Ҳайдар Ҳикмат Қаҳрамон Қодир "
    "Раҳим Карим Рашид Саид Усмон Эргаш Турсун Мирза Назар Икром Нурали Озод Аброр Адҳам Азамат Амир Аскар Бахтиёр "
    "Беҳзод Жавоҳир Нодирбек Ойбек Элбек Фозил Акбар Акром Бекмурод Валижон Дилмурод Жалолиддин Жасурбек Заҳриддин "
    "Зиёдулла Иззат Камолиддин Латиф Маҳмуд Муслим Мустафо Низом Обид Ориф Раҳматулла Салим Санжарбек Сирож Султон "
    "Толиб Файзулла Фаҳриддин Фурқат Ҳабибулла Шариф Шерали Шоҳжаҳон Шуҳратбек Элдор Юнус Яҳё Ибодулла Аминжон "
    "Бобомурод Жамол Зокир Исроил Комилжон Лутфулла Содиқ Тимур Фарҳод Ҳусниддин Шамсиддин Эшмат Хайрулла"
)
_UZ_FEMALE = (
    "Азиза Барно Гавҳар Гулбаҳор Гулшан Гулру Дилафруз Дилбар Дилрабо Дурдона Замира Зуҳра Зулфия Лобар Лола "
    "Мафтуна Матлуба Мунира Насиба Нафиса Нигора Озода Рано Роза Умида Фотима Ҳилола Шаҳло Шоҳида Юлдуз "
    "Меҳринисо Меҳрибон Нозима Ойгул Ойдин Ойниса Райҳона Саодат Сабина Ситора Фарангиз Фарида Хадича Гулмира "
    "Дилшода Маржона Саида Адолат Арофат Асал Барчиной Гулжаҳон Гулсанам Дилором Зебо Зулайҳо Иқбол Камила "
    "Комила Манзура Маҳлиё Мовлуда Муаззам Муқаддас Нафосат Нигина Нурхон Ойша Сарвиноз Севинч Хосият "
    "Шукрона Муҳаббат Мастура Маҳфуза"
)
_UZ_FEMALE_HEADS = "Гул Дил Ой Моҳ Нур Шаҳ Меҳр"
_UZ_FEMALE_TAILS = "ноза шан чеҳра нора баҳор мира дора бар рабо ниса нур жаҳон хон"


_UZ_OLD = (
    "Аҳмад Бобо Ботир Валий Давлат Зокир Камол Латиф Мамат Муса Мухтор Наби Норбой Нурмат Раҳмон Расул Салим "
    "Собир Содиқ Солиҳ Султон Тошмат Умар Холмат Шариф Шокир Юнус Қосим Ҳалим Ҳаким Абдуқаҳҳор Аҳрор Жалил Жумабой "
    "Жуманиёз Кенжа Қурбон Мадамин Назир Нишон Нормат Нурилла Очил Пирмат Ражаб Саттор Сафар Суюн Сулаймон Тошпулат "
    "Турғун Уктам Хамро Хидир Хуррам Шодмон Ғани Қаюм Қаҳҳор Қулмат Ҳожи Азим Алим Исо Тожи Бозор Даврон "
    "Ибрагим Исмат Маматқул Наримон Обид Раҳмат Собит Худойберди Шерқул Эсон Юлдош Ҳамдам Қобил"
)
"""Fathers' and grandfathers' names behind Uzbek surnames (Нормат → Норматов), older than the given names above."""


def _uzbek() -> _Tail:
    t = TRADITIONS["uzbek"]
    latin = UZBEK.latin
    roots = [w for w in _UZ_MALE.split() if not w.endswith(("бек", "жон")) and not w.startswith("Абду")]
    affixed = _scrambled(_in(latin, " ".join(r + ("бек" if i % 2 else "жон") for i, r in enumerate(roots))))
    whole = _in(latin, _UZ_MALE)
    female = [*_in(latin, _UZ_FEMALE), *_scrambled(_compounds(_UZ_FEMALE_HEADS, _UZ_FEMALE_TAILS, latin))]
    fathers = [*_in(latin, _UZ_OLD), *t.male, *whole]
    return _Tail([*whole, *affixed], female, _derived(latin, fathers, turkic_surname))


_KG_MALE = (
    "Айдар Айтбек Акылбек Алтынбек Асан Асылбек Бакай Бактыбек Бекболот Бекжан Болот Данияр Дастан Жаныбек "
    "Жолдошбек Замир Кайрат Калыс Курманбек Мирлан Муратбек Мурат Нурлан Нурдин Өмүрбек Садыр Самат Санжар Таалай "
    "Табылды Темир Токтогул Урмат Уланбек Чолпонбек Эламан Эркин Эсен Элдияр Жыргалбек Мелис Мирбек Медер Нурислам "
    "Бекназар Асанбек Акжол Актан Алмаз Арстан Бектемир Кадыр Кенеш Мамыт Осмон Сыдык Токтор Турдубай Усен Абдылда "
    "Жапар Ормон Турат Шерали Ислам Азиз Бекмырза Бообек Досбол Жумабек Исмаил Кубат Мамат Нурбол Нургазы Рахат "
    "Руслан Сагынбек Сапар Султан Тынчтык Улукбек Эрнис Жээнбек Кыдыр Каныбек Бекбол Атай Абдыкадыр Калыбек Курман"
)
_KG_FEMALE = (
    "Айнура Айдана Айсулуу Айымкан Акмөөр Бактыгүл Бермет Бүбүсара Гүлмира Гүлнара Гулайым Динара Жаркынай Жибек "
    "Зарина Зуура Мирайым Назира Нургүл Нурайым Перизат Салтанат Сезим Толгонай Чынара Чынаргүл Элиза Элмира Жаңыл "
    "Кумушай Айсалкын Айзирек Бегайым Бурулай Гүлсана Данагүл Жазгүл Алина Гүлбарчын Гүлжамал Дилбар Жамиля "
    "Жылдызкан Калима Мадина Таттыбүбү Чолпонай Айгерим Айчүрөк Акылай Венера Жаннат Жаркын Зейнеп Кундуз Нургиза "
    "Сабина Умут"
)
_KG_FEMALE_HEADS = "Ай Гүл Нур Бакты Чынар Жаз Бегим Мир Алтын Бүбү Кумуш Жылдыз"
_KG_FEMALE_TAILS = "гүл зада жан нура дана айым сулуу пери кан зирек чүрөк салкын ай"


_KG_OLD = (
    "Абдыкадыр Абдырахман Ибраим Жусуп Исак Бакир Орозбек Сагынбай Сатыбалды Токтосун Төлөгөн Сулайман Кенжебай "
    "Момун Нурмамат Орунбай Тынай Үмөт Чоробай Эсенгул Кудайберген Шамшы Алымбай Бектен Дүйшөн Жолдош Жумаш Карыбек "
    "Кудайкул Мамбет Маматкул Молдо Осмонали Сейит Тагай Турсунбай Эшмат Байтик Боронбай Дыйканбай Жумакадыр "
    "Карабай Мукаш Сарыбай Текебай Шаршен Чотон Акылбек Бообек"
)
"""Fathers' and grandfathers' names behind Kyrgyz surnames (Сагынбай → Сагынбаев)."""


def _kyrgyz() -> _Tail:
    t = TRADITIONS["kyrgyz"]
    roots = [w for w in _KG_MALE.split() if "бек" not in w.lower() and w[-1] not in _VOWELS_CYR.lower()]
    whole = _in(_icao, _KG_MALE)
    male = [*whole, *_scrambled(_in(_icao, " ".join(r + "бек" for r in roots)))]
    female = [*_in(_icao, _KG_FEMALE), *_scrambled(_compounds(_KG_FEMALE_HEADS, _KG_FEMALE_TAILS, _icao))]
    fathers = [*_in(_icao, _KG_OLD), *t.male, *whole]
    return _Tail(male, female, _derived(_icao, fathers, turkic_surname))


_TJ_MALE = (
    "Абдураҳмон Азиз Алишер Анвар Ашраф Баҳодур Бахтиёр Беҳзод Довуд Зафар Иброҳим Искандар Ихтиёр Карим Латиф "
    "Маҳмуд Мансур Меҳрубон Мирзо Муҳаммад Насим Нозим Озод Раҳим Раҳмон Рашид Саид Сайфулло Сафар Соҳиб Сулаймон "
    "Тимур Умар Файзулло Фарид Фирӯз Ҳамид Ҳасан Ҳусейн Ҳабибулло Шаҳзод Шариф Шерзод Шоҳин Эраҷ Юсуф Ҷаҳонгир "
    "Ҷалол Ҷонибек Қаҳрамон Қобил Аброр Асадулло Бобоҷон Дилшод Илҳом Камол Лоиқ Муҳиддин Нуриддин Рауф Саидҷон "
    "Амонулло Иноятулло Раҳматулло Нурулло Аҳмад Зариф Комил Мурод Носир Одил Пайрав Самариддин Субҳон Тоҳир "
    "Фаррух Хуршед Хусрав Ҳайдар Ҳикматулло Шамсиддин Шодмон Эҳсон Юнус Дамир Исфандиёр Муҳаммадҷон Наҷибулло "
    "Олим Садриддин Шуҳрат Абдуҷаббор Абдусалом Абдукарим Абдураҳим"
)
_TJ_FEMALE = (
    "Анора Бунафша Гулнора Гулрухсор Гулчеҳра Дилноза Дилором Заррина Зебо Зарафшон Имона Лола Мавҷуда Малика "
    "Марҷона Меҳрона Муборак Мунира Наргис Насиба Нилуфар Рухшона Сабина Саодат Севара Фарзона Фарида "
    "Хуршеда Шаҳло Шаҳноза Шоира Мижгона Моҳира Меҳринисо Зулайхо Гулшан Гулбаҳор Ойша Озода Ҳилола Ҷамила Адолат "
    "Гулафшон Дилбар Зуҳро Комила Лайло Маҳина Моҳру Наргиза Нодира Рухсора Сарвиноз Таманно Фотима Хосият "
    "Шукрона Шоҳида Гулрӯ Тоҳира"
)
_TJ_FEMALE_HEADS = "Гул Дил Меҳр Моҳ Шаҳ Нур"
_TJ_FEMALE_TAILS = "ноза рухсор чеҳра баҳор шан ором афрӯз ангез ниса она бону ҷаҳон"


_TJ_OLD = (
    "Раҳмон Шариф Сафар Қодир Давлат Раҷаб Карим Назар Саид Мирзо Ҳол Одина Ҳусейн Ҳасан Маҳмад Юсуф Умар Исмоил "
    "Собир Салим Аҳмад Ашур Бобо Зоир Иброҳим Камол Латиф Мансур Мурод Наби Олим Пир Рустам Саттор Султон Тоҳир "
    "Турсун Файзулло Ҳамид Ҳаким Ҳайдар Шоҳ Юнус Қурбон Ҷалол Ҷума Абдулло Азим Амон Гул Додо Зиё Идрис Комил "
    "Маҳмуд Мулло Нур Пӯлод Раҳим Сайфулло Сангин Ҳоҷӣ Ғафур Қаҳҳор Навруз Одил Раҳматулло Сафол Ҳамро"
)
"""Fathers' and grandfathers' names behind Tajik surnames (Ашур → Ашуров, Раҳмон → Раҳмонзода)."""


def _tajik() -> _Tail:
    t = TRADITIONS["tajik"]
    latin = TAJIK.latin
    roots = [w for w in _TJ_MALE.split() if w[-1] not in _VOWELS_CYR.lower() and not w.endswith(("ҷон", "бек"))]
    whole = _in(latin, _TJ_MALE)
    male = [*whole, *_scrambled(_in(latin, " ".join(r + "ҷон" for r in roots[::2])))]
    female = [*_in(latin, _TJ_FEMALE), *_scrambled(_compounds(_TJ_FEMALE_HEADS, _TJ_FEMALE_TAILS, latin))]
    surnames: list[str] = []
    for i, (_, cyr) in enumerate((*_in(latin, _TJ_OLD), *t.male, *whole)):
        assert cyr is not None
        surnames.append(turkic_surname(cyr))
        if cyr.endswith(("ҷон", "зод", "зода")):
            continue
        if i % 2 == 0:
            surnames.append(cyr + "зода")
        if i % 5 == 0 and cyr[-1] not in _VOWELS_CYR.lower():
            surnames.append(cyr + "ӣ")
    return _Tail(male, female, _in(latin, " ".join(surnames)))


_MN_MALE_HEADS = (
    "Бат Ган Эрдэнэ Энх Мөнх Баяр Сүх Төмөр Болд Очир Дорж Пүрэв Хүрэл Түвшин Отгон Оргил Даваа Жаргал Цогт Зориг "
    "Мөнгөн Алтан Дэлгэр Ням Ариун Бямба Амар Хишиг"
)
_MN_MALE_TAILS = "бат болд баатар баяр эрдэнэ очир сүх төмөр зориг жаргал мөнх тулга дорж пүрэв цогт сайхан эрдэм"
_MN_MALE = (
    "Тэмүүжин Ганзориг Сүхбаатар Мягмар Лхагва Пүрэвдорж Цэрэн Гомбо Дамдин Цэдэн Жамсран Намсрай Ганхуяг Түмэн "
    "Анхбаяр Билгүүн Мөнхжин Хонгор Сүрэн Бямбасүрэн Дашдорж Энхтүвшин Батжаргал"
)
_MN_FEMALE_HEADS = (
    "Энх Мөнх Оюун Алтан Нар Сар Цэцэг Ану Гэрэл Болор Номин Солонго Уран Эрдэнэ Баяр Хулан Сарнай Одон Туяа "
    "Ундрам Дэлгэр Ариун"
)
_MN_FEMALE_TAILS = "цэцэг туяа гэрэл сайхан заяа жаргал чимэг эрдэнэ сувд зул бадам мандах тунгалаг хүслэн маа"
_MN_FEMALE = (
    "Сарнай Номин Энхжин Урангоо Мөнхзул Хонгорзул Болормаа Сарангэрэл Оюунчимэг Гэрэлмаа Нарангэрэл Дэлгэрмаа "
    "Цэцэгмаа Ариунаа Мишээл Уянга Ундрам Одгэрэл"
)


def _mongolian() -> _Tail:
    t = TRADITIONS["mongolian"]
    latin = MONGOLIAN.latin
    male = [*_in(latin, _MN_MALE), *_scrambled(_compounds(_MN_MALE_HEADS, _MN_MALE_TAILS, latin))]
    female = [*_in(latin, _MN_FEMALE), *_scrambled(_compounds(_MN_FEMALE_HEADS, _MN_FEMALE_TAILS, latin))]
    return _Tail(male, female, [*t.male, *male])  # the passport's surname is the father's given name


# --- materials: Caucasus and Turkmenistan (national Latin beside the Russian Cyrillic) ----------------

_AM_MALE = (
    "ASHOT Ашот RUBEN Рубен ARTAK Артак EDGAR Эдгар LEVON Левон SUREN Сурен ARSEN Арсен ARA Ара VARDAN Вардан "
    "ERIK Эрик MANVEL Манвел MKHITAR Мхитар ANDRANIK Андраник ARMAN Арман ARTASHES Арташес MKRTICH Мкртич "
    "RAZMIK Размик SMBAT Смбат TARON Тарон ARTEM Артем ARSHAK Аршак GAGIK Гагик GARNIK Гарник KAMO Камо "
    "MARTIN Мартин NORAYR Нораир RAFAEL Рафаэль ROBERT Роберт SEYRAN Сейран VARUZHAN Варужан VAZGEN Вазген "
    "ZAVEN Завен ARAYIK Араик ARTUSH Артуш GURGEN Гурген SPARTAK Спартак TATUL Татул ARSHAVIR Аршавир "
    "KAREN Карен SERGEY Сергей ARMENAK Арменак"
)
_AM_FEMALE = (
    "LUSINE Лусине KARINE Карине SIRANUSH Сирануш AREV Арев EVA Эва ZARA Зара LIANA Лиана MANE Мане NUNE Нуне "
    "RIPSIME Рипсиме SUSANNA Сусанна SHUSHAN Шушан ASYA Ася ELEN Элен EMMA Эмма INGA Инга KRISTINE Кристине "
    "LAURA Лаура MARINE Марине MELINE Мелине NAIRA Наира NVARD Нвард SATENIK Сатеник SIRUN Сирун "
    "SYUZANNA Сюзанна TATEV Татев AIDA Аида ALLA Алла ARPINE Арпине KARINA Карина MARI Мари SEDA Седа "
    "TAMARA Тамара VIKTORIA Виктория"
)
_AM_SURNAMES = (
    "DAVTYAN Давтян ALEKSANYAN Алексанян ASATRYAN Асатрян BABAJANYAN Бабаджанян MINASYAN Минасян "
    "MOVSESYAN Мовсесян NAZARYAN Назарян NERSESYAN Нерсесян SAFARYAN Сафарян "
    "SIMONYAN Симонян STEPANYAN Степанян TONOYAN Тоноян ZAKARYAN Закарян AVAGYAN Авагян GABRIELYAN Габриелян "
    "GALSTYAN Галстян MANASYAN Манасян MARGARYAN Маргарян MELIKYAN Меликян PAPOYAN Папоян TOVMASYAN Товмасян "
    "AMIRKHANYAN Амирханян ASLANYAN Асланян BABAYAN Бабаян BALAYAN Балаян "
    "DALLAKYAN Даллакян GASPARYAN Гаспарян KOCHARYAN Кочарян MANUKYAN Манукян MATEVOSYAN Матевосян "
    "MELKONYAN Мелконян TADEVOSYAN Тадевосян TOROSYAN Торосян VOSKANYAN Восканян ARAKELYAN Аракелян "
    "GALUSTYAN Галустян MARTIROSYAN Мартиросян DANIELYAN Даниелян"
)


def _armenian() -> _Tail:
    t = TRADITIONS["armenian"]
    male = _pairs(_AM_MALE)
    from_names = [
        (lat + "YAN", f"{cyr.rstrip('ь')}ян")
        for lat, cyr in _foldable((*t.male, *male))
        if cyr and lat[-1] not in "AEIOUY"
    ]
    return _Tail(list(male), list(_pairs(_AM_FEMALE)), [*_pairs(_AM_SURNAMES), *from_names])


_AZ_MALE = (
    "ELNUR Эльнур ELMAR Эльмар ELMAN Эльман ILKIN Илькин RAMIZ Рамиз RASIM Расим RAUF Рауф SAMIR Самир "
    "SEYMUR Сеймур FUAD Фуад EMIL Эмиль ZAUR Заур AKIF Акиф ARIF Ариф AZER Азер ADIL Адиль BAYRAM Байрам "
    "IMRAN Имран NIZAMI Низами OKTAY Октай SABIR Сабир TALEH Талех MURAD Мурад MIRZA Мирза RUFAT Руфат "
    "SARXAN Сархан TIMUR Тимур TEYMUR Теймур YUSIF Юсиф ZAKIR Закир MAHIR Махир MEHMAN Мехман NURLAN Нурлан "
    "RUSTAM Рустам ELDAR Эльдар ELXAN Эльхан AYDIN Айдын AMIL Амиль KAMAL Камал ZAMIN Замин FARHAD Фархад "
    "ZIYA Зия ISA Иса MUSA Муса YAHYA Яхья ELMIR Эльмир ZAHID Захид"
)
_AZ_FEMALE = (
    "AYSEL Айсель SEVDA Севда SAMIRA Самира SABINA Сабина NURLANA Нурлана FIDAN Фидан ARZU Арзу TURANA Турана "
    "LAMIYA Ламия ZARIFA Зарифа KAMILA Камила ULVIYYA Ульвия AYSU Айсу AYLIN Айлин DILARA Дилара ELMIRA Эльмира "
    "ELNARA Эльнара FARIDA Фарида INARA Инара LEYLI Лейли MINA Мина NURANA Нурана RUXSARA Рухсара SAIDA Саида "
    "SURAYYA Сурая TARANA Тарана ZAMIRA Замира ZARINA Зарина AIDA Аида YASAMAN Ясаман"
)
_AZ_SURNAMES = (
    "MUSAYEV Мусаев SALIMOV Салимов NABIYEV Набиев SAFAROV Сафаров ASLANOV Асланов RUSTAMOV Рустамов "
    "ZEYNALOV Зейналов KARIMOV Каримов BAGIROV Багиров AMIROV Амиров ISAYEV Исаев MUSTAFAYEV Мустафаев "
    "NURIYEV Нуриев SALMANOV Салманов TALIBOV Талыбов MIRZAYEV Мирзаев YUSIFOV Юсифов ABDULLAYEV Абдуллаев "
    "AXUNDOV Ахундов MURADOV Мурадов SULTANOV Султанов TAHIROV Тахиров RAHMANOV Рахманов ZAKIROV Закиров "
    "NOVRUZOV Новрузов MAHMUDOV Махмудов VAHABOV Вахабов AMIRASLANOV Амирасланов SARDAROV Сардаров "
    "KAMALOV Камалов MANSUROV Мансуров TAGIYEV Тагиев ALIMARDANOV Алимарданов BAYRAMOV Байрамов "
    "SAMADOV Самадов YUNUSOV Юнусов ZAMANOV Заманов NAMAZOV Намазов AGAYEV Агаев ZULFUGAROV Зульфугаров"
)


def _azerbaijani() -> _Tail:
    return _Tail(list(_pairs(_AZ_MALE)), list(_pairs(_AZ_FEMALE)), list(_pairs(_AZ_SURNAMES)))


_TM_MALE = (
    "AMAN Аман ARSLAN Арслан AYDOGDY Айдогды BAYRAM Байрам BERDI Берды DOWRAN Довран GELDI Гельды "
    "JUMA Джума KAKAJAN Какаджан ORAZ Ораз OWEZ Овез PALWAN Палван RAHMAN Рахман SAPAR Сапар "
    "YUSUP Юсуп AZAT Азат ATA Ата MEKAN Мекан NURY Нуры AGAJAN Агаджан BABA Баба DAWUT Давут KERIM Керим "
    "MERET Мерет NAZAR Назар RESUL Ресул SAHET Сахет YAGMUR Ягмур ALLABERDI Аллаберды ANNAGELDI Аннагельды "
    "GOCHMURAT Гочмурат NURMAMMET Нурмаммет OVEZGELDI Овезгельды"
)
_TM_FEMALE = (
    "AYGUL Айгуль AYNABAT Айнабат BOSTAN Бостан DUNYA Дунья GULNARA Гульнара JEMAL Джемаль LALE Лале "
    "MAHRI Махри MERJEN Мерджен OGULJAN Огулджан SONA Сона YAZGUL Язгуль ZUHRA Зухра AYJEMAL Айджемаль "
    "JENNET Дженнет MAYSA Майса GULJAN Гульджан ENEGUL Энегуль NABAT Набат AMANGUL Амангуль"
)


def _turkmen() -> _Tail:
    t = TRADITIONS["turkmen"]
    male = list(_pairs(_TM_MALE))
    return _Tail(male, list(_pairs(_TM_FEMALE)), [_latin_surname(n, "OW", "YEW") for n in _foldable((*t.male, *male))])


# --- materials: names written in Latin only ------------------------------------------------------

_CN_SURNAMES = (
    "ZHENG LIANG XIE SONG TANG XU HAN FENG DENG CAO PENG ZENG XIAO TIAN DONG YUAN PAN YU JIANG CAI DU YE CHENG "
    "SU WEI LV DING REN SHEN YAO LU CUI ZHONG TAN FAN JIN SHI LIAO JIA XIA FU FANG BAI ZOU MENG XIONG QIN QIU YIN "
    "XUE YAN DUAN LEI HOU LONG TAO GU MAO HAO GONG SHAO WAN QIAN DAI MO KONG XIANG CHANG KANG NIU HONG WEN"
)
_CN_RARE = (
    "AI AN AO BAO BEI BI BIAN BU CEN CHAI CHE CHI CHU CONG DIAO DOU FEI GAN GE GENG GUAN GUI HAI HANG HUA JI "
    "JIAN JIE JING JU KE KOU KUANG LAI LAN LANG LIAN LING LOU LUAN MAI MAN MI MIAO MIN MING MU NI NIE NING OU "
    "OUYANG PANG PEI PU QI QU QUAN RAO RONG RUAN SANG SHA SHANG SHU SI SIMA SUI TAI TENG TONG TU XI XIN XING "
    "YING YONG YOU YUE ZANG ZHAI ZHAN ZHUANG ZHUGE ZHUO ZONG ZUO SHANGGUAN DONGFANG"
)
_CN_MALE = (
    "WEI JUN HAO LEI QIANG MING JIAN TAO YONG BO CHAO PENG JIE FENG GANG HUI BIN HAI XIN YU ZHI YANG LONG HONG "
    "WEN GUO DONG CHENG LIANG KAI RUI ZE XUAN YI HAN ZHEN SHENG TIAN YUAN FEI KANG LIN XIANG LU SONG HUA JIA"
)
_CN_FEMALE = (
    "FANG LI JING YAN MIN XIU YING HUI LING NA XUE MEI XIAO JUAN HONG XIA LAN YUN QIAN TING YU JIA LU YI XIN "
    "WEN QIN ZHEN LIN SHAN DAN YUE SI QI HAN XI YAO XUAN RUI TONG NING SHU ZI ZHI CHEN"
)


def _chinese() -> _Tail:
    def given(syllables: str) -> list[Name]:
        return [*_latin(syllables), *_scrambled(_compounds(syllables, syllables))]

    return _Tail(given(_CN_MALE), given(_CN_FEMALE), [*_latin(_CN_SURNAMES), *_latin(_CN_RARE)])


_KR_SURNAMES = (
    "HAN OH SEO SHIN KWON HWANG AHN SONG YOO HONG JEON KO MOON YANG SON BAE BAEK HEO NAM SIM NOH HA KWAK SUNG CHA "
    "JOO WOO KOO MIN RYU NA JIN JI EOM CHAE WON CHEON BANG GONG HYUN HAM BYUN YEOM YEO CHU DO SO SEOK SEON SEOL MA "
    "GIL PYO MYUNG"
)
_KR_MALE = "MIN SEO JUN WOO HYUN JI HO JAE SUNG DONG SANG YOUNG SOO TAE JIN HOON GEON WON YOON SEOK CHUL KYU HWAN IL"
_KR_FEMALE = "MIN SEO JI YEON EUN HYE JIN HEE SOO YOUNG A YE DA CHAE RIN BIN HA YOON JOO SUN KYUNG MI NA RA"

_JP_SURNAME_HEADS = (
    "YAMA TA NAKA KAWA MATSU KI MORI ISHI TAKA FUJI NISHI KITA OKA SUGI HASHI KURO SHIRA HIRA KANE MIYA NAGA YOSHI "
    "O KO UE ARA IWA SAKA HAMA UME"
)
_JP_SURNAME_TAILS = (
    "MOTO DA NAKA SHITA KAWA YAMA MURA HARA SAWA SAKI ZAKI NO GUCHI TANI SHIMA JIMA OKA KI MORI TA UCHI KUBO HASHI"
)
_JP_MALE = (
    "HIRO TAKE KEN YU HARU SO KAZU NAO TOMO MASA YOSHI TAKA SHIN RYO DAI SHO KEI TETSU YASU NOBU TOSHI ATSU KATSU",
    "SHI TO TA KI YA O RO SUKE HIKO ICHI JI NORI YUKI AKI",
)
_JP_FEMALE = ("YU HANA MI SAKU AI NA MA ERI SA KA HARU NATSU AKI CHI RI MO", "KO MI NA KA E RI YO NO HO SA RA")

_TR_MALE = (
    "ABDULLAH ADEM ALPER ARDA BARIS BATUHAN BERK BULENT CAN CEM CENGIZ DENIZ DOGAN EMIR ENES ERDEM EREN ERKAN "
    "ERTUGRUL FATIH FERHAT GOKHAN HAKAN HALIL HAMZA HARUN ILKER KAAN KADIR KEREM KORAY MELIH MERT METIN NECATI OGUZ "
    "ONUR ORHAN OZAN RAMAZAN RECEP SAMET SELIM SERKAN SINAN SUAT TAHIR TANER TOLGA TUNCAY UGUR UMUT VOLKAN YASIN "
    "YAVUZ YUNUS ZAFER"
)
_TR_FEMALE = (
    "AYLIN BANU BELGIN BERNA BURCU CANAN CEREN DERYA DILEK DUYGU EBRU ECE EDA ELA ESIN FILIZ GAMZE GIZEM GONCA GULAY "
    "GULSEN HANDE HULYA IPEK IREM KADER MELIKE MELIS MERYEM NAZLI NESLIHAN NIL OZGE PELIN PINAR RABIA SEDA SELIN "
    "SERAP SEVAL SIBEL SONGUL TUBA TUGCE YASEMIN YELIZ ZEKIYE"
)
_TR_SURNAME_HEADS = (
    "AK KARA DEMIR GOK YILDIZ OZ KOC ER TAS ALTIN SARI AY GUN CAN BAY UZUN BUYUK YESIL AKIN DOGAN TURK AL BAL "
    "KILIC ASLAN KURT SAHIN TEKIN CELIK KAYA"
)
_TR_SURNAME_TAILS = "TAS KAYA SOY OGLU CAN ER EL DAG YOL TURK BAY TEKIN ALP ASLAN DEMIR OK GUL KAN"

_IN_MALE = (
    "ABHISHEK ADITYA AJAY AKASH AKSHAY ANAND ANKIT ARVIND ASHOK DEEPAK DINESH GANESH GAURAV HARISH HITESH JAGDISH "
    "KAMLESH KIRAN MAHESH MANISH MANOJ MUKESH NARESH NIKHIL NITIN PANKAJ PRAKASH PRAVEEN RAJESH RAKESH RAMESH "
    "SACHIN SANDEEP SANJEEV SATISH SHYAM SUNIL SURESH UMESH VIJAY VINOD VIVEK YOGESH ABDUL SALMAN FARHAN HARPREET "
    "GURPREET JASPREET"
)
_IN_FEMALE = (
    "AARTI ANITA ANKITA ANUSHKA BHAVNA DEEPA DEEPIKA GEETA ISHITA JYOTI KAJAL KOMAL MADHU MAMTA MANISHA MONIKA "
    "NANDINI NISHA POONAM PRIYANKA RADHA RANI REKHA RITU SAPNA SARITA SEEMA SHALINI SHILPA SHWETA SONIA SUNITA "
    "SWATI USHA VANDANA FARHEEN SIMRAN SHREYA ANANYA SAUMYA TANVI RIYA ADITI"
)
_IN_SURNAMES = (
    "AGARWAL BANERJEE BHATT BOSE CHATTERJEE CHAUHAN CHOPRA DESAI DUBEY GHOSH GILL GOEL JAIN KAPOOR KAUR MALHOTRA "
    "MEHTA MISHRA MUKHERJEE NAIDU PANDEY PILLAI SAXENA SETHI SHAH SHUKLA SINHA SRIVASTAVA TIWARI TRIVEDI VERMA "
    "YADAV AHUJA ARORA BAJAJ BHATIA CHAUDHARY DUTTA GOSWAMI KULKARNI MENON NAGAR PATIL RATHORE SAINI SOLANKI "
    "THAKUR VARMA ANSARI IYENGAR HEGDE KAMATH SHETTY NAYAK PRASAD RAJPUT BHARGAVA ACHARYA BHAT CHANDRA DASGUPTA "
    "DIXIT MALIK MOHAN NAIK PANDE PARIKH PATHAK RANA RAJAN SEN SONI SUBRAMANIAN TANDON UPADHYAY VYAS"
)

_FA_MALE = (
    "ABBAS AHMAD AKBAR ALIREZA BEHNAM BEHZAD DARIUSH DAVOOD EHSAN FARHAD FARSHID HADI HASSAN JAVAD KAMRAN KAVEH "
    "KOUROSH MAHMOUD MAJID MASOUD MILAD MOHSEN MORTEZA NADER NAVID OMID PAYAM PEYMAN POUYA RAMIN SAMAN SASAN "
    "SHAHRAM SIAVASH SINA VAHID YOUSEF"
)
_FA_FEMALE = (
    "ATEFEH AZADEH BAHAR ELHAM FARNAZ FERESHTEH GOLNAZ HANIEH HOMA LADAN MAHSA MANIJEH MARJAN MASOUMEH MOZHGAN "
    "NASRIN NEDA NILOUFAR PARVANEH ROYA SAHAR SAMANEH SEPIDEH SHABNAM SIMIN SOMAYEH TARANEH YASAMAN ZEINAB ZOHREH"
)
_FA_ROOTS = (
    "HOSSEIN AHMAD MOHAMMAD REZA KARIM JAFAR RAHIM KAZEM MORAD AKBAR SADEGH HASHEM NASER ALI AMIR ABBAS HASSAN "
    "MAHMOUD TAGHI GHASEM SALEH MOUSA YOUSEF EBRAHIM HEIDAR SOLEIMAN"
)

_AF_MALE = (
    "AJMAL ASADULLAH BASHIR EHSANULLAH FAHIM FAWAD GHULAM HABIB HAMIDULLAH HASHMATULLAH JAWAD KHALID MASOUD "
    "MIRWAIS MUJTABA MUSTAFA NAJIBULLAH NAQIBULLAH OMID QASIM RAHMATULLAH SAMIULLAH SHAFIQ SHER SULTAN WAHEED YAMA "
    "YOUSUF ZAHIR"
)
_AF_FEMALE = (
    "ARZO BIBI FARIBA FERESHTA GULALAI HALIMA HOMA KHADIJA LAILA MADINA MAHBOOBA MALALA NADIA NAHEED NAJIBA NILOFAR "
    "PARISA RAHIMA SABRINA SADAF SAHAR SHAKILA SHUKRIA SITARA SOMAYA TAHMINA WAZHMA ZAHRA ZARGHONA"
)
_AF_SURNAMES = "DURRANI HOTAKI ZADRAN MOMAND SAMADI AZIZI HABIBI QADERI RASOOLI SAHAK SEDIQI SHINWARI WAZIRI YOUSUFZAI"
_AF_ROOTS = "AHMAD BARAK ALI MOHAMMAD NOOR KARIM SULTAN AMIN HAKIM RAHIM ZAHIR NASIR JALAL OMAR"

_PK_MALE = (
    "ABDULLAH ADNAN AHSAN AMIR ARSLAN ASAD ASIF ATIF BABAR DANISH FAHAD FARHAN HAMZA HARIS IRFAN JAVED KAMRAN "
    "KASHIF KHALID MOHSIN NADEEM NAVEED NOMAN RASHID RIZWAN SAAD SAJID SALMAN SHAHID SHOAIB TARIQ WAQAS WASEEM "
    "YASIR ZAHID ZUBAIR"
)
_PK_FEMALE = (
    "AMNA ANAM ASMA BUSHRA FARAH FARIHA HUMA IQRA KANWAL KHADIJA MAHNOOR MARIAM MEHWISH NABILA NADIA NAILA RABIA "
    "SAIMA SAMINA SHAZIA SIDRA SOBIA TAHIRA UZMA ZAINAB"
)
_PK_SURNAMES = (
    "ABBASI AFRIDI AKHTAR ANSARI ARSHAD ASHRAF AWAN BAIG BHATTI CHEEMA DAR GONDAL HAIDER HASHMI HUSSAIN JAVED "
    "JUTT KHALID KHOKHAR MAHMOOD MIRZA MUGHAL NAQVI NIAZI RANA RAZA RIAZ SHAH SHAHID SULTAN TARIQ WARRAICH YOUSAF "
    "ZAIDI SIDDIQUI CHOHAN GILANI JAMALI LODHI MEMON SOOMRO TAREEN AHMAD ALI ANWAR AZIZ BALOCH BUKHARI DURRANI "
    "FAROOQ GHAURI HAYAT HUSSAINI JAMIL KAZMI LAGHARI NAWAZ QAZI RAHMAN RASHID SALEEM SHAIKH SHERAZI SIAL TIWANA "
    "USMANI ZAMAN"
)

_DE_MALE = (
    "BENJAMIN CHRISTIAN DAVID DOMINIK ELIAS FELIX FINN FRANK FRIEDRICH HANS JONAS JOHANNES JOSEF JUERGEN KARL KLAUS "
    "LEON MATTHIAS MAX MORITZ NIKLAS NICO OLIVER PATRICK PAUL PETER PHILIPP RALF SEBASTIAN SIMON TIM TOBIAS TORSTEN "
    "UWE WOLFGANG"
)
_DE_FEMALE = (
    "ANDREA ANGELIKA BIRGIT CHRISTINA EMMA ESTHER EVA FRANZISKA HANNAH HEIKE INGRID JANA JOHANNA KARIN KERSTIN LEA "
    "LUISA MARIE MELANIE MIA MONIKA NADINE NICOLE PETRA RENATE SANDRA SILKE SOPHIE STEFANIE SUSANNE TANJA URSULA "
    "VANESSA"
)
_DE_SURNAMES = (
    "KOCH RICHTER KLEIN WOLF SCHROEDER NEUMANN SCHWARZ ZIMMERMANN BRAUN KRUEGER HOFMANN HARTMANN LANGE SCHMITT "
    "WERNER SCHMITZ KRAUSE MEIER LEHMANN SCHMID SCHULZE MAIER KOEHLER HERRMANN KOENIG WALTER MAYER HUBER KAISER "
    "FUCHS PETERS LANG SCHOLZ MOELLER WEISS JUNG HAHN SCHUBERT VOGEL FRIEDRICH KELLER GUENTHER FRANK BERGER "
    "WINKLER ROTH BECK LORENZ BAUMANN FRANKE ALBRECHT SCHUSTER SIMON LUDWIG BOEHM WINTER KRAUS MARTIN SCHUMACHER "
    "KRAEMER VOGT STEIN JAEGER OTTO SOMMER GROSS SEIDEL HEINRICH BRANDT HAAS SCHREIBER GRAF SCHULTE DIETRICH "
    "ZIEGLER KUHN POHL ENGEL HORN BUSCH BERGMANN THOMAS VOIGT SAUER ARNOLD WOLFF PFEIFFER"
)
_DE_HEADS = (
    "BAUM BERG BRAND HOF LANG KLEIN GROSS SCHWARZ WEISS ROTH NEU ALT HOLZ STEIN KIRCH LIND BACH ROSEN EICH BUCH FELD "
    "WALD ZIMMER"
)
_DE_TAILS = "MANN ER HARDT BERG FELD STEIN MEIER BACH BAUER HAUSER HOFER"

_EN_MALE = (
    "ANDREW ANTHONY BRIAN CHARLES CHRISTOPHER DONALD EDWARD GEORGE JASON KENNETH KEVIN MARK MATTHEW PAUL PETER "
    "RYAN SCOTT STEPHEN STEVEN TIMOTHY ADAM ALEXANDER BENJAMIN BRANDON CHRISTIAN DYLAN ERIC GARY HENRY JACK JACOB "
    "JONATHAN JOSHUA JUSTIN LARRY NATHAN NICHOLAS OLIVER PATRICK SAMUEL"
)
_EN_FEMALE = (
    "AMANDA ANGELA BARBARA CAROL DEBORAH DONNA EMMA HANNAH HELEN KAREN KIMBERLY LAURA LISA MARGARET MELISSA "
    "MICHELLE NANCY REBECCA SANDRA SHARON STEPHANIE SUSAN ABIGAIL ALICE AMY ANNA CHARLOTTE CHLOE DOROTHY GRACE "
    "HEATHER JULIA KATHERINE LUCY MEGAN NICOLE OLIVIA RACHEL RUTH SAMANTHA SOPHIE VICTORIA"
)
_EN_SURNAMES = (
    "THOMAS JACKSON WHITE HARRIS MARTIN THOMPSON GARCIA ROBINSON CLARK LEWIS LEE WALKER HALL ALLEN YOUNG KING "
    "WRIGHT SCOTT GREEN BAKER ADAMS NELSON HILL CAMPBELL MITCHELL ROBERTS CARTER PHILLIPS EVANS TURNER PARKER "
    "COLLINS EDWARDS STEWART MORRIS MURPHY COOK ROGERS MORGAN COOPER PETERSON BAILEY REED KELLY HOWARD WARD COX "
    "RICHARDSON WOOD WATSON BROOKS BENNETT GRAY HUGHES PRICE SANDERS MYERS LONG ROSS FOSTER"
)
_EN_HEADS = "ASH BLACK BRAD CLAY FAIR HOL LANG MOR NEW RAD SHEL STAN WHIT BROOK CHURCH FOX HAR MARSH WEST NORTH HILL"
_EN_TAILS = "FORD LEY TON WOOD FIELD SON WELL BURY HAM WORTH BY DALE LAND MORE STONE"

_FR_MALE = (
    "ALAIN BERNARD CHRISTOPHE DAVID ERIC FRANCOIS FREDERIC GERARD GUILLAUME HUGO JACQUES LAURENT LOUIS LUC "
    "MATHIEU MAXIME OLIVIER PATRICK PAUL PHILIPPE ROMAIN SEBASTIEN STEPHANE VINCENT YVES ARTHUR BENOIT CEDRIC "
    "CLEMENT DAMIEN DIDIER FABRICE GABRIEL JEROME JULES LEO LOIC LUCAS MICHEL NOAH PASCAL RAPHAEL THIBAULT XAVIER"
)
_FR_FEMALE = (
    "AMELIE ANNE AURELIE CATHERINE CELINE CHLOE EMMA ISABELLE JEANNE LAURA LEA LUCIE MANON MATHILDE NATHALIE "
    "PAULINE SANDRINE SYLVIE VALERIE VIRGINIE AGNES ALICE BRIGITTE CAROLINE CHANTAL CORINNE DELPHINE ELODIE "
    "EMILIE FLORENCE HELENE INES JULIETTE LOUISE MARGAUX MARINE MONIQUE NICOLE OCEANE VERONIQUE"
)
_FR_SURNAMES = (
    "RICHARD MOREAU LAURENT SIMON MICHEL LEFEBVRE DAVID BERTRAND ROUX VINCENT FOURNIER MOREL GIRARD ANDRE MERCIER "
    "BLANC GUERIN BOYER GARNIER CHEVALIER FRANCOIS LEGRAND GAUTHIER PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY "
    "ROUSSEL MATHIEU MASSON MARCHAND DENIS LEMAIRE NOEL MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET "
    "GAILLARD BARBIER ARNAUD ROCHE RENARD ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD "
    "DUMAS LACROIX OLIVIER BOURGEOIS PIERRE BENOIT LECLERC ROLLAND"
)
_FR_HEADS = "DU LA BEAU BEL MONT GRAND"
_FR_TAILS = "BOIS PONT PUY MONT VAL CHAMP PRE FOUR MOULIN JARDIN FORT ROCHE VILLE FONTAINE"

_IT_MALE = (
    "ANDREA ANTONIO DAVIDE FABIO FEDERICO GIOVANNI LORENZO MATTEO MATTIA PAOLO RICCARDO ROBERTO SIMONE STEFANO "
    "TOMMASO ALESSIO CLAUDIO CRISTIAN DANIELE DIEGO EMANUELE ENRICO FILIPPO FRANCO GABRIELE GIACOMO GIANLUCA "
    "GIORGIO LEONARDO MASSIMO MICHELE NICOLA PIETRO SALVATORE SAMUELE SERGIO VINCENZO"
)
_IT_FEMALE = (
    "ALESSIA ANNA ELENA ELISA FEDERICA GIORGIA ILARIA MARTINA PAOLA ROBERTA SILVIA SOFIA VALENTINA ALICE AURORA "
    "BEATRICE CAMILLA CARLA CRISTINA DANIELA EMMA GINEVRA GRETA LAURA LUCIA MARIA MONICA NOEMI REBECCA SERENA "
    "SIMONA TERESA VITTORIA"
)
_IT_ROOTS = (
    "ROSS BIANC FERR MARIN GALL CONT MANCIN GIORDAN RIZZ LOMBARD MORETT FONTAN MARIAN RINALD CARUS BARBER "
    "SANTOR SERR VITAL PELLEGRIN GRASS BELL FABBR GUERR CATTAN MART"
)
_IT_ENDINGS = "I O ELLI ETTI INI ONE UCCI"

_GE_MALE = (
    "ALEKSANDRE BESIK GELA GIGA GOGA KAKHA LASHA MERAB MIKHEIL NODAR OTAR PAATA REVAZ SANDRO SHOTA TAMAZ TEMUR "
    "VAKHTANG ZAZA BACHANA BEKA DATO GURAM ANZOR AVTANDIL DEMETRE ELGUJA GOCHA ILIA KOBA MAMUKA NIKOLOZ RAMAZ "
    "ROMAN SABA TORNIKE ZVIAD"
)
_GE_FEMALE = (
    "EKA KETI LALI LIA MAIA MANANA MARIKA NANA NATIA NATO SOPHIO TAMTA TEA TINATIN ANANO KHATIA IRINA LELA MAKA "
    "GVANTSA LIKA MAGDA MARINA NANULI NESTAN SHORENA SOPHO TAMUNA TEONA IA"
)
_GE_ROOTS = (
    "ABASH BAKRAD BERI CHKHEI DOLI GABUN GELA GIORGA GOGI JAPARI KAKABA KAPANA LOMI MAISURA MCHEDLI MELIKI NOZA "
    "PAPU SULA TAVA KHUTSI KOBAKHI MAMULA NATSVLI"
)

_MD_MALE = (
    "ADRIAN ALEXANDRU CONSTANTIN CRISTIAN DUMITRU EUGEN GHEORGHE PETRU RADU STEFAN TUDOR VICTOR VLAD VALERIU "
    "VITALIE DENIS DANIEL LUCIAN MARIN ANATOL ARTUR AUREL CORNELIU DORIN EMIL FLORIN GRIGORE ILIE IURIE LIVIU "
    "OCTAVIAN PAVEL SORIN VEACESLAV VADIM"
)
_MD_FEMALE = (
    "ADRIANA ALINA ANGELA CORINA DANIELA DIANA DOINA IRINA LILIANA MARIANA MIHAELA NADEJDA OXANA RODICA SILVIA "
    "SVETLANA TATIANA VALENTINA VERONICA VIORICA AURELIA ECATERINA EUGENIA GALINA INA LARISA LUCIA NICOLETA RAISA "
    "STELA TAMARA ZINAIDA"
)
_MD_SURNAMES = (
    "BALAN BOTNARU BURLACU CAZACU COJOCARU CRETU DONICA GRAMA GUTU MELNIC MORARU NISTOR POPA POPESCU PRODAN RADU "
    "SANDU SARBU TURCAN URSU VASILACHE ZAHARIA"
)
_MD_ROOTS = "POP ROT RUS MUNTE CIOB LUNG BOTN CRIST MOR BAL GROS RAD CONSTANTIN TIMOF VASIL MARIN DOBR"
_MD_ENDINGS = "U ESCU EANU ANU ARU"


def _latin_tail(male: str, female: str, *surnames: Iterable[Name]) -> Callable[[], _Tail]:
    def make() -> _Tail:
        return _Tail(_latin(male), _latin(female), [n for group in surnames for n in group])

    return make


def _suffixed(roots: str, endings: str) -> list[Name]:
    """Each root with each ending, vowel-final roots joined without doubling (REZA + I → REZAI)."""
    return _scrambled((r + (e[1:] if r[-1] == e[0] else e), None) for r in roots.split() for e in endings.split())


_TAILS: dict[str, Callable[[], _Tail]] = {
    "russian": _russian,
    "ukrainian": _ukrainian,
    "kazakh": _kazakh,
    "uzbek": _uzbek,
    "kyrgyz": _kyrgyz,
    "tajik": _tajik,
    "armenian": _armenian,
    "azerbaijani": _azerbaijani,
    "turkmen": _turkmen,
    "mongolian": _mongolian,
    "chinese": _chinese,
    "korean": lambda: _Tail(
        _scrambled(_compounds(_KR_MALE, _KR_MALE)), _scrambled(_compounds(_KR_FEMALE, _KR_FEMALE)), _latin(_KR_SURNAMES)
    ),
    "japanese": lambda: _Tail(
        _scrambled(_compounds(*_JP_MALE)),
        _scrambled(_compounds(*_JP_FEMALE)),
        _scrambled(_compounds(_JP_SURNAME_HEADS, _JP_SURNAME_TAILS)),
    ),
    "turkish": _latin_tail(_TR_MALE, _TR_FEMALE, _scrambled(_compounds(_TR_SURNAME_HEADS, _TR_SURNAME_TAILS))),
    "indian": _latin_tail(_IN_MALE, _IN_FEMALE, _latin(_IN_SURNAMES)),
    "persian": _latin_tail(_FA_MALE, _FA_FEMALE, _suffixed(_FA_ROOTS, "I ZADEH POUR NEJAD FAR IAN")),
    "afghan": _latin_tail(_AF_MALE, _AF_FEMALE, _latin(_AF_SURNAMES), _suffixed(_AF_ROOTS, "ZAI I YAR KHIL")),
    "pakistani": _latin_tail(_PK_MALE, _PK_FEMALE, _latin(_PK_SURNAMES)),
    "german": _latin_tail(
        _DE_MALE, _DE_FEMALE, _latin(_DE_SURNAMES), _scrambled(_compounds(_DE_HEADS, _DE_TAILS, merge=True))
    ),
    "english": _latin_tail(_EN_MALE, _EN_FEMALE, _latin(_EN_SURNAMES), _scrambled(_compounds(_EN_HEADS, _EN_TAILS))),
    "french": _latin_tail(_FR_MALE, _FR_FEMALE, _latin(_FR_SURNAMES), _scrambled(_compounds(_FR_HEADS, _FR_TAILS))),
    "italian": _latin_tail(_IT_MALE, _IT_FEMALE, _suffixed(_IT_ROOTS, _IT_ENDINGS)),
    "georgian": _latin_tail(_GE_MALE, _GE_FEMALE, _suffixed(_GE_ROOTS, "SHVILI DZE IA AVA ANI")),
    "moldovan": _latin_tail(_MD_MALE, _MD_FEMALE, _latin(_MD_SURNAMES), _suffixed(_MD_ROOTS, _MD_ENDINGS)),
}
"""Per tradition, how its tail is made (after the hand-written names, which stay the most frequent)."""


# --- the vocabulary -------------------------------------------------------------------------------

_MRZ_NAME = re.compile(r"[A-Z]+(?: [A-Z]+)*")


@dataclass(frozen=True, slots=True, eq=False)
class Ranked:
    """Names from the commonest down, with the share of people who bear each."""

    names: tuple[Name, ...]
    shares: FloatArray

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, slots=True, eq=False)
class Vocabulary:
    """Every name one tradition draws, by sex: given names, surnames (feminine where it inflects), patronymics."""

    key: str
    given: Mapping[str, Ranked]  # "F", "M"
    surnames: Mapping[str, Ranked]
    patronymics: Mapping[str, Ranked]  # empty without patronymic surnames

    def names(self) -> frozenset[Name]:
        """Every (Latin, Cyrillic) name of this tradition."""
        groups = (*self.given.values(), *self.surnames.values(), *self.patronymics.values())
        return frozenset(n for g in groups for n in g.names)


def _ranked(head: Iterable[Name], tail: Iterable[Name], freq: Frequencies) -> Ranked:
    """The hand-written head, then the tail, each Latin form once, with Zipf shares (see :func:`zipf_shares`).

    Raises:
        ValueError: a Latin form outside ``A-Z`` and spaces (a bug in the materials above).
    """
    seen: set[str] = set()
    names: list[Name] = []
    for latin, cyr in (*head, *tail):
        if not _MRZ_NAME.fullmatch(latin):
            raise ValueError(f"not an MRZ name: {latin!r} ({cyr})")
        if latin not in seen:
            seen.add(latin)
            names.append((latin, cyr))
    return Ranked(tuple(names), zipf_shares(len(names), freq))


@functools.cache
def vocabulary(key: str) -> Vocabulary:
    """One tradition's names with their frequencies (built once per process: a few hundred milliseconds for all).

    >>> v = vocabulary("russian")
    >>> v.given["M"].names[0], v.surnames["F"].names[0], len(v.surnames["M"]) > 5000
    (('ALEKSANDR', 'Александр'), ('IVANOVA', 'Иванова'), True)
    """
    t = TRADITIONS[key]
    tail = _TAILS[key]()
    cal = calibration(key)
    male = _ranked(t.male, tail.male, cal.male)
    female = _ranked(t.female, tail.female, cal.female)
    family = _ranked(t.surnames, tail.surnames, cal.surnames)
    feminine = Ranked(tuple(feminine_surname(*n) for n in family.names), family.shares) if t.inflect else family
    patronymics: dict[str, Ranked] = {}
    if t.patronymic:
        suffixes = JOINED_PATRONYMIC_SUFFIX if t.joined_patronymic else PATRONYMIC_SUFFIX
        gap = "" if t.joined_patronymic else " "
        for sex, (s_lat, s_cyr) in suffixes.items():
            fathers = tuple((f"{m}{gap}{s_lat}", f"{c}{gap}{s_cyr}" if c else None) for m, c in male.names)
            patronymics[sex] = Ranked(fathers, male.shares)
    return Vocabulary(key, {"F": female, "M": male}, {"F": feminine, "M": family}, patronymics)


def _foldable(names: Iterable[Name]) -> list[Name]:
    """``names`` without national spellings that do not fold to their Cyrillic (MYRAT Мурат): no surname from them."""
    return [(lat, cyr) for lat, cyr in names if cyr is None or match_key(lat) == match_key(cyr)]
