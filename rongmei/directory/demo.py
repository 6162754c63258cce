"""The demo county's 服务+: 59 government and 35 livelihood services, and the main hall.

National platforms are linked by their real addresses; services only the county can offer
point at ``COUNTY_PORTAL`` (a reserved ``.example`` address: an honest placeholder the
county replaces, which the link checker reports until it does). Rows go through the same
``import_rows`` the console's Excel import uses.
"""

from __future__ import annotations

from django.conf import settings

from rongmei.core.modules import link_is_on

ORDER = 60
COUNTY_PORTAL = "https://zwfw.lianxiang.example"

# (name, kind, icon, order)
CATEGORIES = [
    ("社保", "government", "service", 10), ("医保", "government", "health", 20),
    ("公积金", "government", "house", 30), ("户籍", "government", "service", 40),
    ("出入境", "government", "bus", 50), ("交通", "government", "bus", 60),
    ("教育", "government", "school", 70), ("不动产", "government", "house", 80),
    ("税务", "government", "job", 90), ("民政", "government", "heart", 100),
    ("企业开办", "government", "job", 110),
    ("水电气", "livelihood", "water", 10), ("医疗健康", "livelihood", "health", 20),
    ("出行", "livelihood", "bus", 30), ("就业", "livelihood", "job", 40),
    ("便民查询", "livelihood", "news", 50), ("文旅", "livelihood", "gift", 60),
]

SI = "https://si.12333.gov.cn/"
NHSA = "https://fuwu.nhsa.gov.cn/"
GJZWFW = "https://www.gjzwfw.gov.cn/"
MPS = "https://zwfw.mps.gov.cn/"
NIA = "https://s.nia.gov.cn/"
TAX = "https://etax.chinatax.gov.cn/"
GOV = "县人力资源和社会保障局"

# (name, category, unit, tags, url or path, summary)
GOVERNMENT = [
    ("社会保险参保登记", "社保", GOV, "社保,社会保险,参保", SI, "城乡居民养老保险参保登记"),
    ("养老保险缴费", "社保", GOV, "社保,养老,缴费", SI, "城乡居民养老保险年度缴费"),
    ("养老金领取资格认证", "社保", GOV, "社保,养老金,认证,刷脸", SI, "刷脸完成年度领取资格认证"),
    ("社保缴费记录查询", "社保", GOV, "社保,查询,缴费记录", SI, "查询个人历年参保缴费明细"),
    ("社保卡申领", "社保", GOV, "社保卡,社保", SI, "首次申领第三代社会保障卡"),
    ("社保卡挂失与补换", "社保", GOV, "社保卡,挂失,补卡", SI, "社保卡丢失后挂失、补换"),
    ("失业保险金申领", "社保", GOV, "社保,失业,失业金", SI, "失业人员申领失业保险金"),
    ("工伤认定申请", "社保", GOV, "社保,工伤", f"{COUNTY_PORTAL}/gongshang", "职工工伤认定申请"),
    ("城乡居民医保缴费", "医保", "县医疗保障局", "医保,缴费,居民医保", NHSA, "年度城乡居民医保缴费"),
    ("医保参保信息查询", "医保", "县医疗保障局", "医保,查询", NHSA, "查询参保状态和缴费记录"),
    ("医保电子凭证激活", "医保", "县医疗保障局", "医保,电子凭证,医保码", NHSA, "激活医保码，看病买药扫码"),
    ("异地就医备案", "医保", "县医疗保障局", "医保,异地就医,备案", NHSA, "跨省异地就医直接结算备案"),
    ("门诊慢特病待遇认定", "医保", "县医疗保障局", "医保,慢特病,门特", f"{COUNTY_PORTAL}/mtb", "高血压、糖尿病等门诊慢特病认定"),
    ("医保关系转移接续", "医保", "县医疗保障局", "医保,转移", NHSA, "跨统筹区转移医保关系"),
    ("公积金缴存查询", "公积金", "县住房和城乡建设局", "公积金,查询", f"{COUNTY_PORTAL}/gjj/query", "查询个人公积金缴存余额和明细"),
    ("公积金提取", "公积金", "县住房和城乡建设局", "公积金,提取,租房", f"{COUNTY_PORTAL}/gjj/draw", "购房、租房、退休等提取公积金"),
    ("公积金贷款申请", "公积金", "县住房和城乡建设局", "公积金,贷款,买房", f"{COUNTY_PORTAL}/gjj/loan", "购房公积金贷款申请"),
    ("公积金异地转移", "公积金", "县住房和城乡建设局", "公积金,转移", GJZWFW, "跨城市转移公积金账户"),
    ("灵活就业人员公积金开户", "公积金", "县住房和城乡建设局", "公积金,灵活就业,开户", f"{COUNTY_PORTAL}/gjj/open", "个体户、灵活就业人员自愿缴存"),
    ("户口迁移", "户籍", "县公安局", "户籍,户口,迁移,落户", MPS, "跨省迁移户口“一站式”办理"),
    ("新生儿入户", "户籍", "县公安局", "户籍,户口,出生,上户口", MPS, "新生儿出生登记入户"),
    ("居民身份证换领", "户籍", "县公安局", "身份证,换证,户籍", MPS, "身份证到期换领、异地换领"),
    ("临时身份证明开具", "户籍", "县公安局", "身份证,证明,户籍", MPS, "乘车乘机用的临时身份证明"),
    ("户籍证明开具", "户籍", "县公安局", "户籍,证明", MPS, "户籍信息证明开具"),
    ("居住证办理", "户籍", "县公安局", "居住证,户籍", MPS, "外来人员申领居住证"),
    ("普通护照办理", "出入境", "县公安局", "出入境,护照", NIA, "首次申领、换发、补发护照"),
    ("往来港澳通行证办理", "出入境", "县公安局", "出入境,港澳,通行证", NIA, "港澳通行证及签注"),
    ("往来台湾通行证办理", "出入境", "县公安局", "出入境,台湾,通行证", NIA, "台湾通行证及签注"),
    ("驾驶证换证", "交通", "县公安局", "驾驶证,换证,交管", "https://gab.122.gov.cn/", "驾驶证有效期满换证"),
    ("机动车违法查询与处理", "交通", "县公安局", "违章,交管,罚款", "https://gab.122.gov.cn/", "查询和处理交通违法"),
    ("机动车年检预约", "交通", "县公安局", "年检,车检,交管", "https://gab.122.gov.cn/", "机动车安全技术检验预约"),
    ("电动自行车登记上牌", "交通", "县公安局", "电动车,上牌", f"{COUNTY_PORTAL}/ddc", "电动自行车登记、挂牌"),
    ("道路运输从业资格证办理", "交通", "县交通运输局", "从业资格证,货运,客运", f"{COUNTY_PORTAL}/cyzg", "客货运驾驶员从业资格"),
    ("网约车驾驶员证申请", "交通", "县交通运输局", "网约车,出租车", f"{COUNTY_PORTAL}/wyc", "网络预约出租汽车驾驶员证"),
    ("义务教育入学报名", "教育", "县教育体育局", "入学,报名,小学,初中", f"{COUNTY_PORTAL}/ruxue", "小学一年级、初中一年级入学报名"),
    ("学前教育资助申请", "教育", "县教育体育局", "资助,幼儿园", f"{COUNTY_PORTAL}/zizhu", "家庭经济困难幼儿资助"),
    ("学籍信息查询", "教育", "县教育体育局", "学籍,查询", "https://www.chsi.com.cn/", "学信网学籍、学历查询"),
    ("教师资格认定", "教育", "县教育体育局", "教师资格证", "https://www.jszg.edu.cn/", "中小学教师资格认定申请"),
    ("生源地信用助学贷款", "教育", "县教育体育局", "助学贷款,大学", "https://www.csls.cdb.com.cn/", "大学新生生源地助学贷款"),
    ("不动产登记信息查询", "不动产", "县自然资源局", "不动产,房产证,查询", f"{COUNTY_PORTAL}/bdc/query", "查询名下不动产登记信息"),
    ("二手房转移登记", "不动产", "县自然资源局", "不动产,过户,二手房", f"{COUNTY_PORTAL}/bdc/transfer", "二手房买卖过户登记"),
    ("抵押登记", "不动产", "县自然资源局", "不动产,抵押,贷款", f"{COUNTY_PORTAL}/bdc/mortgage", "房产抵押、注销抵押登记"),
    ("新建商品房首次登记", "不动产", "县自然资源局", "不动产,新房,办证", f"{COUNTY_PORTAL}/bdc/first", "新房办理不动产权证书"),
    ("农村宅基地和房屋登记", "不动产", "县自然资源局", "宅基地,农村,不动产", f"{COUNTY_PORTAL}/bdc/zjd", "宅基地使用权及房屋所有权登记"),
    ("个人所得税汇算", "税务", "县税务局", "个税,汇算,退税", TAX, "年度个人所得税综合所得汇算清缴"),
    ("个人纳税记录开具", "税务", "县税务局", "个税,纳税证明", TAX, "开具个人所得税纳税记录"),
    ("发票真伪查验", "税务", "县税务局", "发票,查验", "https://inv-veri.chinatax.gov.cn/", "全国增值税发票查验"),
    ("城乡居民养老医疗保险费缴纳", "税务", "县税务局", "社保,医保,缴费,税务", TAX, "通过税务渠道缴纳城乡居民社保费"),
    ("车船税缴纳", "税务", "县税务局", "车船税,车辆", TAX, "车辆车船税缴纳与完税证明"),
    ("婚姻登记预约", "民政", "县民政局", "结婚,离婚,婚姻登记", f"{COUNTY_PORTAL}/hunyin", "结婚、离婚登记预约"),
    ("最低生活保障申请", "民政", "县民政局", "低保,救助", f"{COUNTY_PORTAL}/dibao", "城乡最低生活保障申请"),
    ("高龄津贴申领", "民政", "县民政局", "老人,高龄补贴", f"{COUNTY_PORTAL}/gaoling", "80周岁以上老人高龄津贴"),
    ("残疾人两项补贴申请", "民政", "县民政局", "残疾人,补贴", f"{COUNTY_PORTAL}/canji", "困难残疾人生活补贴和重度残疾人护理补贴"),
    ("退役军人优待证申领", "民政", "县退役军人事务局", "退役军人,优待证", f"{COUNTY_PORTAL}/youdai", "退役军人、其他优抚对象优待证"),
    ("个体工商户设立登记", "企业开办", "县市场监督管理局", "个体户,营业执照,开店", f"{COUNTY_PORTAL}/gtgsh", "开个体店，网上办营业执照"),
    ("企业开办一网通办", "企业开办", "县行政审批局", "开公司,营业执照,企业", f"{COUNTY_PORTAL}/qykb", "执照、刻章、发票、社保一次办"),
    ("食品经营许可", "企业开办", "县行政审批局", "食品,许可证,餐饮", f"{COUNTY_PORTAL}/spjy", "开饭店、食品店的经营许可"),
    ("企业信用信息查询", "企业开办", "县市场监督管理局", "企业,信用,查询", "https://www.gsxt.gov.cn/", "国家企业信用信息公示系统"),
    ("营业执照变更与注销", "企业开办", "县市场监督管理局", "营业执照,变更,注销", f"{COUNTY_PORTAL}/zhizhao", "变更登记事项或注销"),
]

LIVELIHOOD = [
    ("电费查询缴纳", "水电气", "县供电公司", "电费,缴费,国家电网", "https://www.95598.cn/", "网上国网：电费查询与缴纳"),
    ("用电报装", "水电气", "县供电公司", "用电,报装,电表", "https://www.95598.cn/", "居民新装、增容用电"),
    ("停电信息查询", "水电气", "县供电公司", "停电,电", "https://www.95598.cn/", "计划停电和故障停电公告"),
    ("水费查询缴纳", "水电气", "县自来水公司", "水费,缴费", f"{COUNTY_PORTAL}/water/pay", "自来水费查询与缴纳"),
    ("用水报装", "水电气", "县自来水公司", "用水,报装,水表", f"{COUNTY_PORTAL}/water/new", "新装、改装自来水"),
    ("停水通知", "水电气", "县自来水公司", "停水,水", f"{COUNTY_PORTAL}/water/notice", "计划停水公告"),
    ("燃气费缴纳", "水电气", "县燃气公司", "燃气费,天然气,缴费", f"{COUNTY_PORTAL}/gas/pay", "管道燃气费缴纳"),
    ("燃气报装与安检预约", "水电气", "县燃气公司", "燃气,报装,安检", f"{COUNTY_PORTAL}/gas/new", "新装燃气、入户安检预约"),
    ("燃气报修", "水电气", "县燃气公司", "燃气,维修,漏气", f"{COUNTY_PORTAL}/gas/repair", "燃气设施故障报修"),
    ("县人民医院预约挂号", "医疗健康", "县卫生健康委员会", "挂号,医院,看病", f"{COUNTY_PORTAL}/hospital/1", "县人民医院门诊预约挂号"),
    ("县中医院预约挂号", "医疗健康", "县卫生健康委员会", "挂号,中医,看病", f"{COUNTY_PORTAL}/hospital/2", "县中医院门诊预约挂号"),
    ("疫苗接种预约", "医疗健康", "县卫生健康委员会", "疫苗,接种,儿童", f"{COUNTY_PORTAL}/vaccine", "儿童计划免疫和成人疫苗接种预约"),
    ("检查检验报告查询", "医疗健康", "县卫生健康委员会", "报告,化验单", f"{COUNTY_PORTAL}/report", "县域医院检查检验报告查询"),
    ("家庭医生签约", "医疗健康", "县卫生健康委员会", "家庭医生,签约", f"{COUNTY_PORTAL}/family-doctor", "签约乡镇卫生院家庭医生"),
    ("出生医学证明办理", "医疗健康", "县卫生健康委员会", "出生证,新生儿", f"{COUNTY_PORTAL}/birth", "新生儿出生医学证明"),
    ("火车票购买", "出行", "", "火车票,12306,高铁", "https://www.12306.cn/", "铁路12306购票"),
    ("县城公交线路查询", "出行", "县交通运输局", "公交,线路,坐车", f"{COUNTY_PORTAL}/bus", "县城及城乡公交线路和班次"),
    ("汽车站班次查询", "出行", "县交通运输局", "汽车票,客运站,班车", f"{COUNTY_PORTAL}/coach", "县汽车站发车班次"),
    ("高速路况查询", "出行", "县交通运输局", "高速,路况", "https://www.12122.gov.cn/", "高速公路实时路况"),
    ("ETC办理", "出行", "", "ETC,高速", f"{COUNTY_PORTAL}/etc", "ETC申办与激活"),
    ("停车缴费", "出行", "县城市管理局", "停车,缴费", f"{COUNTY_PORTAL}/parking", "县城路内停车缴费"),
    ("县内招聘岗位", "就业", GOV, "招聘,找工作,就业", "/classifieds/?category=job", "本县企业招聘信息"),
    ("失业登记", "就业", GOV, "失业,登记,就业", f"{COUNTY_PORTAL}/shiye", "失业人员登记，享受就业服务"),
    ("职业技能培训报名", "就业", GOV, "培训,技能,补贴", f"{COUNTY_PORTAL}/peixun", "免费职业技能培训报名"),
    ("创业担保贷款申请", "就业", GOV, "创业,贷款", f"{COUNTY_PORTAL}/chuangye", "创业担保贷款与贴息"),
    ("农民工欠薪投诉", "就业", GOV, "欠薪,工资,投诉", f"{COUNTY_PORTAL}/qianxin", "拖欠工资线上投诉"),
    ("天气预报", "便民查询", "", "天气,气象", "https://www.weather.com.cn/", "中国天气网：本地天气预报"),
    ("快递查询", "便民查询", "", "快递,物流", "https://www.kuaidi100.com/", "快递物流查询"),
    ("法律援助申请", "便民查询", "", "法律,律师,援助", "https://www.12348.gov.cn/", "12348中国法律服务网"),
    ("消费投诉", "便民查询", "县市场监督管理局", "投诉,消费,12315", "https://www.12315.cn/", "全国12315平台消费投诉"),
    ("民生信息", "便民查询", "", "房屋,二手,招聘,求职,转让", "/classifieds/", "免费发布房屋、二手、招聘求职信息"),
    ("县图书馆借阅", "文旅", "县文化广电新闻出版旅游局", "图书馆,借书", f"{COUNTY_PORTAL}/library", "馆藏查询、续借"),
    ("白莲湖景区门票预约", "文旅", "县文化广电新闻出版旅游局", "景区,门票,旅游", f"{COUNTY_PORTAL}/bailianhu", "白莲湖景区分时预约"),
    ("体育场馆预约", "文旅", "县教育体育局", "体育馆,游泳馆,运动", f"{COUNTY_PORTAL}/sports", "县体育中心场馆预约"),
    ("文化活动报名", "文旅", "县新时代文明实践中心", "文化,活动,报名", f"{COUNTY_PORTAL}/wenhua", "广场舞、培训班等文化活动报名"),
]

GUIDES = {
    "materials": "本人有效身份证件；委托他人办理的，另需委托书及代办人身份证件。",
    "steps": "1. 点击“去办理”进入办理页面\n2. 按提示登录并填写信息\n3. 上传所需材料并提交\n4. 留意短信通知，查看办理结果",
    "fees": "免费",
    "hours": "网上24小时可办；窗口办理：工作日 8:30–12:00，14:30–17:30",
}


def _rows(entries, kind_label):
    county = settings.RONGMEI_COUNTY_NAME
    for line, (name, category, unit, tags, url, summary) in enumerate(entries, start=2):
        if not link_is_on(url):  # e.g. 民生信息 while classifieds is off
            url = f"{COUNTY_PORTAL}/{line}"
        internal = url.startswith("/")
        yield line, {
            "服务名称": name, "类型": kind_label, "分类": category, "办理单位": unit,
            "打开方式": "站内页面" if internal else "外部H5链接", "链接地址": url, "标签": tags,
            "需要登录": "否", "一句话介绍": summary,
            "所需材料": GUIDES["materials"], "办理流程": GUIDES["steps"],
            "收费标准": GUIDES["fees"], "办理时间": GUIDES["hours"],
            "办理地点": f"{county}政务服务中心" if not internal else "",
            "咨询电话": "12345",
        }


def seed(ctx) -> str:
    from .models import Service, ServiceCategory, ServiceHall
    from .services import import_rows

    for name, kind, icon, order in CATEGORIES:
        ServiceCategory.objects.get_or_create(name=name, defaults={
            "kind": kind, "icon": icon, "order": order})
    rows = [*_rows(GOVERNMENT, "政务服务"),
            *((line + len(GOVERNMENT), row) for line, row in _rows(LIVELIHOOD, "民生服务"))]
    if Service.objects.count() < len(rows):
        import_rows(rows)
    county = settings.RONGMEI_COUNTY_NAME
    ServiceHall.objects.get_or_create(name=f"{county}政务服务中心", defaults={
        "address": f"{county}莲城镇行政中心东侧市民之家1–3楼",
        "hours": "工作日 8:30–12:00，14:30–17:30；周六上午延时服务",
        "phone": "12345", "map_url": "https://uri.amap.com/search?keyword=" + county + "政务服务中心"})
    government = Service.objects.filter(kind="government").count()
    livelihood = Service.objects.filter(kind="livelihood").count()
    return f"政务服务 {government} 项，民生服务 {livelihood} 项"
