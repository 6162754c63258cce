from rongmei.core.hanzi import to_simplified


def test_traditional_and_variant_characters_become_simplified():
    assert to_simplified("縣委書記鄉村振興") == "县委书记乡村振兴"
    assert to_simplified("綫上、線上、裡面、裏面") == "线上、线上、里面、里面"
    assert to_simplified("臺灣醫療保險") == "台湾医疗保险"


def test_simplified_text_is_left_alone_and_offsets_hold():
    text = "莲乡县干部只有着急，台湾、里面都不变"
    assert to_simplified(text) == text
    mixed = "A縣🙂委"
    assert len(to_simplified(mixed)) == len(mixed)
    assert to_simplified("") == ""
