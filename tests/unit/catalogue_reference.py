"""An independent reference table of the catalogue's procedures, as the national records say.

Written by hand from the national portal's 2026 procedure records (repository VoidKeishi/OpenGOV,
commit feccba6, `backend/data/crawl/catalog.jsonl` for code, name, agency and level of all 5,670
procedures, `backend/data/crawl/details/<code>.json` where present for time, fees, components,
legal bases and result), from /work/shared/REFERENCE-VN.md ("2026 corrections") and from the
legal texts named per row. It is NOT read from procedures/catalogue/*.toml: the contract test
(tests/unit/test_catalogue_contract.py) compares the loaded catalogue with it. The sources, line
by line, and what is uncertain are in docs/catalogue-sources.md.

Per row:
- official_name: the name in catalog.jsonl, verbatim;
- name: the name the portal shows: the official name without "Thủ tục", a parenthesis or a
  list of foreign-element variants, or narrowed to what the portal offers (BHYT for children);
- authority: the competent body (procedures/authorities.toml kinds); level follows from it;
- routing: the rule deciding which office of that body is competent;
- days / counting: the processing time the record (or the law where it has no record) gives;
- service_level: "toan_trinh" / "mot_phan" from the record's isFullProcess flag; None where no
  record is stored and the level is not evident from the procedure;
- fees: figures in đồng. "set_by" says who fixes the amount: "law" (free by statute),
  "national" (a Ministry of Finance circular: the figures below are binding everywhere),
  "provincial" (the provincial council: no national figure, so no number here);
  "counter" / "online" per dossier, "per_copy", "per_page" (pages 1–2, from page 3) with
  "cap_per_copy", "per_case", "third_copy_surcharge"; "free_when": free only in that case
  (registration on time), the council's fee otherwise;
- result: the record's result document;
- source: "record" (details file present), "catalog" (catalog.jsonl only: name, agency, level;
  the rest from the law or REFERENCE-VN);
- confidence: law | secondary | unverified, as in REFERENCE-VN, for the row's weakest figure.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

Authority = Literal["ubnd_xa", "cong_an_xa", "cong_an_tinh", "bhxh", "so_tu_phap"]
Rule = Literal[
    "party_residence",
    "deceased_residence",
    "address_field",
    "temporary_residence",
    "province_of_residence",
    "any_commune",
]


class Fees(TypedDict):
    set_by: Literal["law", "national", "provincial"]
    counter: NotRequired[int]
    online: NotRequired[int]
    per_copy: NotRequired[int]
    per_page: NotRequired[tuple[int, int]]
    cap_per_copy: NotRequired[int]
    per_case: NotRequired[int]
    third_copy_surcharge: NotRequired[int]
    # Free only in that case (on-time registration); otherwise the council's late fee.
    free_when: NotRequired[Literal["on_time_birth", "on_time_death"]]
    basis: str


class Row(TypedDict):
    official_name: str
    name: str
    authority: Authority
    level: Literal["commune", "province"]
    routing: Rule
    days: int
    counting: Literal["working", "calendar"]
    service_level: Literal["toan_trinh", "mot_phan"] | None
    fees: Fees
    result: str
    source: Literal["record", "catalog"]
    confidence: Literal["law", "secondary", "unverified"]
    note: str


_CIVIL_FEE_PROVINCIAL: Fees = {
    "set_by": "provincial",
    "basis": "Lệ phí hộ tịch do HĐND tỉnh quyết định (TT 85/2019/TT-BTC, 106/2021/TT-BTC); miễn "
    "cho gia đình có công, hộ nghèo, người khuyết tật (Luật Hộ tịch 2014, điều 11).",
}

REFERENCE: dict[str, Row] = {
    # --- hộ tịch (UBND xã) -------------------------------------------------------------------
    "1.001193": {
        "official_name": "Thủ tục đăng ký khai sinh",
        "name": "Đăng ký khai sinh",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 1,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "free_when": "on_time_birth",
            "basis": "Luật Hộ tịch 2014, điều 11: miễn khi đúng hạn.",
        },
        "result": "Giấy khai sinh",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: processingTime 1 (unit OTHER), cases 1.001193.01/.02 = 1 WORKING_DAY; the "
        "law says immediately (art. 16), next working day after 15:00.",
    },
    "1.000894": {
        "official_name": "Thủ tục đăng ký kết hôn",
        "name": "Đăng ký kết hôn",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 1,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "basis": "Record: 'Miễn lệ phí' (Luật Hộ tịch, điều 11).",
        },
        "result": "Giấy chứng nhận kết hôn",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: time 1 (OTHER), case .02 = 1 WORKING_DAY; marital status looked up in the "
        "registries, the residence commune verifies within 03 working days if missing.",
    },
    "1.000656": {
        "official_name": "Thủ tục đăng ký khai tử",
        "name": "Đăng ký khai tử",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "deceased_residence",
        "days": 1,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "free_when": "on_time_death",
            "basis": "Luật Hộ tịch 2014, điều 11: miễn khi đúng hạn.",
        },
        "result": "Trích lục khai tử",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: time 1 (OTHER); competent: UBND xã of the deceased's last residence "
        "(record: 'Giấy tờ chứng minh nơi cư trú cuối cùng của người chết để xác định thẩm "
        "quyền').",
    },
    "1.004873": {
        "official_name": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 3,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Giấy xác nhận tình trạng hôn nhân",
        "source": "record",
        "confidence": "law",
        "note": "Record: 3, case .01 = 3 WORKING_DAY. For marriage: one copy only.",
    },
    "1.004884": {
        "official_name": "Thủ tục đăng ký lại khai sinh",
        "name": "Đăng ký lại khai sinh",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 5,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Giấy khai sinh",
        "source": "record",
        "confidence": "law",
        "note": "Record: 5, case .01 = 5 WORKING_DAY.",
    },
    "1.005461": {
        "official_name": "Đăng ký lại khai tử",
        "name": "Đăng ký lại khai tử",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 5,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Trích lục khai tử",
        "source": "record",
        "confidence": "law",
        "note": "Record: 5, case .01 = 5 WORKING_DAY (NĐ 123/2015 điều 25, 28: nơi đã đăng ký khai "
        "tử trước đây hoặc nơi cư trú của người yêu cầu).",
    },
    "1.004859": {
        "official_name": "Thủ tục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại "
        "dân tộc",
        "name": "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 3,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "source": "record",
        "confidence": "law",
        "note": "Record cases: .01 = 1, .02/.03 = 3 WORKING_DAY; Luật Hộ tịch điều 28: thay đổi, "
        "cải chính 03 ngày làm việc, bổ sung ngay trong ngày.",
    },
    "1.001022": {
        "official_name": "Thủ tục đăng ký nhận cha, mẹ, con",
        "name": "Đăng ký nhận cha, mẹ, con",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 3,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Trích lục đăng ký nhận cha, mẹ, con",
        "source": "record",
        "confidence": "law",
        "note": "Record: 3 (OTHER); Luật Hộ tịch điều 25: 03 ngày làm việc, kéo dài thêm không quá "
        "05 ngày làm việc nếu cần xác minh.",
    },
    "1.000689": {
        "official_name": "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con",
        "name": "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 3,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Giấy khai sinh; Trích lục đăng ký nhận cha, mẹ, con",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: methods 3 (OTHER) but case .01 = 8 WORKING_DAY (that is 3 + 5 with "
        "verification); khai sinh part free when on time, the nhận cha, mẹ, con part is charged.",
    },
    "1.004746": {
        "official_name": "Thủ tục đăng ký lại kết hôn",
        "name": "Đăng ký lại kết hôn",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 5,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": _CIVIL_FEE_PROVINCIAL,
        "result": "Giấy chứng nhận kết hôn",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: methods 5 (OTHER); cases .01–.05 = 25 DAY (with verification elsewhere).",
    },
    "1.004837": {
        "official_name": "Thủ tục đăng ký giám hộ",
        "name": "Đăng ký giám hộ",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 3,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "basis": "Luật Hộ tịch 2014, điều 11(1)(b): miễn lệ phí đăng ký giám hộ.",
        },
        "result": "Trích lục đăng ký giám hộ",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: methods 3 WORKING_DAY, case .01 = 5 WORKING_DAY; Luật Hộ tịch điều 21: 03 "
        "ngày làm việc.",
    },
    "2.000635": {
        "official_name": "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
        "name": "Cấp bản sao trích lục hộ tịch",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "any_commune",
        "days": 0,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "per_copy": 8000,
            "basis": "TT 281/2016/TT-BTC: 8.000 đ/bản sao (record: FEE 8000 on every channel).",
        },
        "result": "Bản sao Trích lục hộ tịch, bản sao giấy khai sinh",
        "source": "record",
        "confidence": "secondary",
        "note": "Record: time 0; executing 'Cơ quan quản lý cơ sở dữ liệu hộ tịch điện tử', "
        "catalog departments add 'Sở Tư pháp'; isWard and isProvince both true; the steps "
        "forward the dossier 'đến Sở Tư pháp/UBND cấp xã có thẩm quyền'. Modelled at the UBND "
        "xã, any commune (copies come from the shared database).",
    },
    # --- chứng thực (UBND xã) ------------------------------------------------------------------
    "2.000815": {
        "official_name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có "
        "thẩm quyền của Việt Nam; cơ quan, tổ chức có thẩm quyền của nước ngoài; cơ quan, tổ "
        "chức có thẩm quyền của Việt Nam liên kết với cơ quan, tổ chức có thẩm quyền của nước "
        "ngoài cấp hoặc chứng nhận",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "any_commune",
        "days": 0,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "per_page": (2000, 1000),
            "cap_per_copy": 200000,
            "basis": "TT 226/2016/TT-BTC: 2.000 đ/trang cho trang 1–2, 1.000 đ/trang từ trang 3, "
            "tối đa 200.000 đ/bản.",
        },
        "result": "Bản sao được chứng thực từ bản chính",
        "source": "catalog",
        "confidence": "secondary",
        "note": "No details file. NĐ 23/2015 điều 7: trong ngày, sau 15 giờ thì ngày làm việc "
        "tiếp theo.",
    },
    "2.000884": {
        "official_name": "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp "
        "chứng thực điểm chỉ và trường hợp người yêu cầu chứng thực không thể ký, không thể "
        "điểm chỉ được)",
        "name": "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "any_commune",
        "days": 0,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "per_case": 10000,
            "basis": "TT 226/2016/TT-BTC: 10.000 đ/trường hợp.",
        },
        "result": "Giấy tờ, văn bản đã được chứng thực chữ ký",
        "source": "catalog",
        "confidence": "secondary",
        "note": "No details file. The signer signs before the officer (NĐ 23/2015 điều 24): một "
        "phần.",
    },
    "2.001035": {
        "official_name": "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng "
        "đất, nhà ở",
        "name": "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "address_field",
        "days": 2,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "per_case": 50000,
            "basis": "TT 226/2016/TT-BTC: chứng thực hợp đồng, giao dịch 50.000 đ/hợp đồng, "
            "giao dịch.",
        },
        "result": "Hợp đồng, giao dịch được chứng thực",
        "source": "catalog",
        "confidence": "secondary",
        "note": "No details file. NĐ 23/2015 điều 5(2): land at the UBND xã where the land lies, "
        "houses where the house is; điều 37: không quá 02 ngày làm việc.",
    },
    # --- cư trú (Công an xã) -------------------------------------------------------------------
    "1.004222": {
        "official_name": "Đăng ký thường trú",
        "name": "Đăng ký thường trú",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "address_field",
        "days": 7,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "counter": 20000,
            "online": 10000,
            "basis": "TT 75/2022/TT-BTC (sửa đổi TT 71/2025): 20.000 đ, trực tuyến 10.000 đ; "
            "miễn theo điều 4.",
        },
        "result": "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
        "source": "record",
        "confidence": "law",
        "note": "Record: 7 WORKING_DAY; isFullProcess false.",
    },
    "1.004194": {
        "official_name": "Đăng ký tạm trú",
        "name": "Đăng ký tạm trú",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "address_field",
        "days": 3,
        "counting": "working",
        "service_level": "toan_trinh",
        "fees": {
            "set_by": "national",
            "counter": 15000,
            "online": 7000,
            "basis": "TT 75/2022/TT-BTC: 15.000 đ, trực tuyến 7.000 đ (theo danh sách "
            "10.000/5.000 đ/người).",
        },
        "result": "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
        "source": "record",
        "confidence": "law",
        "note": "Record: 3 WORKING_DAY; isFullProcess true.",
    },
    "1.002755": {
        "official_name": "Gia hạn tạm trú",
        "name": "Gia hạn tạm trú",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "temporary_residence",
        "days": 3,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "counter": 15000,
            "online": 7000,
            "basis": "TT 75/2022/TT-BTC (record: DIRECT 15.000/10.000 theo danh sách, ONLINE "
            "7.000/5.000).",
        },
        "result": "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
        "source": "record",
        "confidence": "law",
        "note": "Record: 3 WORKING_DAY; within 15 days before the registered stay ends; Công an "
        "xã of "
        "the temporary residence.",
    },
    "1.003197": {
        "official_name": "Xóa đăng ký thường trú",
        "name": "Xóa đăng ký thường trú",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 5,
        "counting": "working",
        "service_level": "toan_trinh",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "basis": "Record: no fee on any channel; TT 75/2022 charges none.",
        },
        "result": "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
        "source": "record",
        "confidence": "law",
        "note": "Record: 5 WORKING_DAY, isFullProcess true; filed within 07 days by the person "
        "or the "
        "household's representative (death: group 2 with khai tử).",
    },
    "1.010028": {
        "official_name": "Xóa đăng ký tạm trú",
        "name": "Xóa đăng ký tạm trú",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "temporary_residence",
        "days": 2,
        "counting": "working",
        "service_level": "toan_trinh",
        "fees": {"set_by": "law", "counter": 0, "basis": "Record: no fee on any channel."},
        "result": "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
        "source": "record",
        "confidence": "law",
        "note": "Record: 2 WORKING_DAY, isFullProcess true.",
    },
    "1.003677": {
        "official_name": "Khai báo tạm vắng",
        "name": "Khai báo tạm vắng",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 1,
        "counting": "working",
        "service_level": "toan_trinh",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "basis": "Record: no fee; TT 75/2022 charges none.",
        },
        "result": "Phiếu khai báo tạm vắng (CT03)",
        "source": "record",
        "confidence": "law",
        "note": "Record: 1 WORKING_DAY ('Trong thời gian 01 ngày'), complex cases ≤ 02 working "
        "days "
        "(case .01 = 2 WORKING_DAY).",
    },
    # --- căn cước (Công an xã) -----------------------------------------------------------------
    "1.014061": {
        "official_name": "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
        "name": "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 7,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "basis": "Cấp lần đầu không thu lệ phí (TT 73/2024/TT-BTC) [2nd].",
        },
        "result": "Thẻ căn cước",
        "source": "catalog",
        "confidence": "secondary",
        "note": "No details file; catalog: 'Công an cấp Xã' (the provincial variant is 2.000200). "
        "Luật Căn cước 2023 điều 26: 07 ngày làm việc [2nd]; biometrics taken in person.",
    },
    "1.014063": {
        "official_name": "Cấp đổi thẻ căn cước",
        "name": "Cấp đổi thẻ căn cước",
        "authority": "cong_an_xa",
        "level": "commune",
        "routing": "party_residence",
        "days": 7,
        "counting": "working",
        "service_level": "mot_phan",
        "fees": {
            "set_by": "national",
            "counter": 50000,
            "basis": "TT 73/2024/TT-BTC: cấp đổi 50.000 đ; không thu khi cấp đổi ở tuổi 14, 25, "
            "40, 60 [2nd].",
        },
        "result": "Thẻ căn cước",
        "source": "catalog",
        "confidence": "unverified",
        "note": "No details file; catalog: 'Công an cấp Xã' (provincial variant 2.001195). Age "
        "exemption not expressible by the current fee rules.",
    },
    # --- lý lịch tư pháp (Công an tỉnh) ----------------------------------------------------------
    "3.000333": {
        "official_name": "Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang "
        "cư trú tại Việt Nam, người Việt Nam đang cư trú ở nước ngoài",
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "authority": "cong_an_tinh",
        "level": "province",
        "routing": "province_of_residence",
        "days": 10,
        "counting": "calendar",
        "service_level": "toan_trinh",
        "fees": {
            "set_by": "national",
            "counter": 200000,
            "third_copy_surcharge": 5000,
            "basis": "TT 16/2025/TT-BTC (REFERENCE-VN): 200.000 đ/lần; từ bản thứ 3 thêm 5.000 "
            "đ/bản; "
            "giảm 50 % cho sinh viên, người có công [2nd].",
        },
        "result": "Phiếu lý lịch tư pháp",
        "source": "catalog",
        "confidence": "secondary",
        "note": "No details file; catalog promulgator Bộ Công an. Luật LLTP điều 48: 10 ngày, 15 "
        "ngày khi phải xác minh (REFERENCE-VN).",
    },
    # --- bảo hiểm (BHXH) -----------------------------------------------------------------------
    "1.014137": {
        "official_name": "Thủ tục cấp thẻ bảo hiểm y tế",
        "name": "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "authority": "bhxh",
        "level": "province",
        "routing": "province_of_residence",
        "days": 3,
        "counting": "working",
        "service_level": "toan_trinh",
        "fees": {
            "set_by": "law",
            "counter": 0,
            "basis": "Ngân sách nhà nước đóng cho trẻ em dưới 6 tuổi.",
        },
        "result": "Thẻ bảo hiểm y tế",
        "source": "catalog",
        "confidence": "unverified",
        "note": "No details file; catalog: 'Bảo hiểm xã hội tỉnh', promulgator Bộ Y tế. 3 working "
        "days = liên thông group 1 (NĐ 63/2024) [2nd].",
    },
    "1.014177": {
        "official_name": "HƯỞNG TRỢ CẤP MAI TÁNG",
        "name": "Hưởng trợ cấp mai táng",
        "authority": "bhxh",
        "level": "province",
        "routing": "province_of_residence",
        "days": 7,
        "counting": "working",
        "service_level": None,
        "fees": {"set_by": "law", "counter": 0, "basis": "Không thu phí."},
        "result": "Quyết định hưởng trợ cấp mai táng",
        "source": "catalog",
        "confidence": "unverified",
        "note": "No details file; catalog: 'Bảo hiểm xã hội tỉnh', promulgator Bộ Nội vụ. Luật "
        "BHXH "
        "41/2024/QH15: 10 lần mức tham chiếu; the processing time is not in the stored records.",
    },
    "1.001731": {
        "official_name": "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "name": "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "authority": "ubnd_xa",
        "level": "commune",
        "routing": "deceased_residence",
        "days": 3,
        "counting": "working",
        "service_level": None,
        "fees": {"set_by": "law", "counter": 0, "basis": "Không thu phí."},
        "result": "Quyết định hỗ trợ chi phí mai táng",
        "source": "catalog",
        "confidence": "unverified",
        "note": "No details file; catalog: 'Ủy ban nhân dân cấp xã', promulgator Bộ Y tế. NĐ "
        "20/2021/NĐ-CP điều 11: at least 20 × the social-assistance standard; 03 working days [?].",
    },
}

# Codes the records say do not exist (renamed): the catalogue must not carry them.
RETIRED = {"1.001078": "3.000333", "1.011634": "1.014137"}
