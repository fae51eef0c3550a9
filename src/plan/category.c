/* The seven categories of plan §2 (S-2), their sub-categories, and the
 * national classification each maps to (GB/T 20986-2023). */
#include "plan.h"

#include <string.h>

static const struct subcategory harmful[] = {
    {"virus", "计算机病毒", "computer virus", GBT_MALWARE},
    {"worm", "蠕虫", "worm", GBT_MALWARE},
    {"trojan", "特洛伊木马", "trojan", GBT_MALWARE},
    {"botnet", "僵尸网络", "botnet", GBT_MALWARE},
    {"webshell", "网页后门", "webshell", GBT_MALWARE},
    {"web-malicious-code", "网页内嵌恶意代码", "web-page malicious code", GBT_MALWARE},
    {"ransomware", "勒索软件", "ransomware", GBT_MALWARE},
    {"other", "其他有害程序", "other harmful program", GBT_MALWARE},
    {NULL, NULL, NULL, 0},
};

static const struct subcategory attack[] = {
    {"dos", "拒绝服务攻击", "denial of service", GBT_ATTACK},
    {"backdoor", "后门攻击", "backdoor attack", GBT_ATTACK},
    {"exploit", "漏洞利用", "vulnerability exploitation", GBT_ATTACK},
    {"injection", "注入攻击", "injection", GBT_ATTACK},
    {"scanning", "网络扫描窃听", "scanning and probing", GBT_ATTACK},
    {"brute-force", "口令暴力破解", "brute force", GBT_ATTACK},
    {"phishing", "网络钓鱼", "phishing", GBT_ATTACK},
    {"dns-hijack", "域名劫持", "DNS hijacking", GBT_ATTACK},
    {"interference", "干扰", "interference", GBT_ATTACK},
    {"other", "其他网络攻击", "other network attack", GBT_ATTACK},
    {NULL, NULL, NULL, 0},
};

static const struct subcategory destruction[] = {
    {"tampering", "信息篡改", "tampering and defacement", GBT_DATA},
    {"spoofing", "信息假冒", "spoofing", GBT_DATA},
    {"leak", "信息泄露", "leak", GBT_DATA},
    {"theft", "信息窃取", "theft", GBT_DATA},
    {"loss", "信息丢失", "loss", GBT_DATA},
    {"other", "其他信息破坏", "other information destruction", GBT_DATA},
    {NULL, NULL, NULL, 0},
};

static const struct subcategory content[] = {
    {"illegal-content", "违法有害信息", "illegal or harmful content", GBT_CONTENT},
    {"hidden-links", "暗链", "hidden links", GBT_CONTENT},
    {"other", "其他信息内容安全", "other content security", GBT_CONTENT},
    {NULL, NULL, NULL, 0},
};

static const struct subcategory failure[] = {
    {"hardware", "硬件故障", "hardware failure", GBT_FAILURE},
    {"software", "软件故障", "software failure", GBT_FAILURE},
    {"facility", "外围保障设施故障", "peripheral facility failure (power, network)", GBT_FAILURE},
    {"man-made", "人为破坏", "man-made damage", GBT_FAILURE},
    {"other", "其他设备设施故障", "other equipment failure", GBT_FAILURE},
    {NULL, NULL, NULL, 0},
};

static const struct subcategory disaster[] = {
    {"natural", "自然灾害", "natural disaster", GBT_FORCE_MAJEURE},
    {"other", "其他灾害", "other disaster", GBT_FORCE_MAJEURE},
    {NULL, NULL, NULL, 0},
};

static const struct subcategory other[] = {
    {"other", "其他事件", "other", GBT_OTHER},
    {NULL, NULL, NULL, 0},
};

static const struct category categories[] = {
    {"harmful-program", "有害程序事件", "harmful program", harmful},
    {"network-attack", "网络攻击事件", "network attack", attack},
    {"information-destruction", "信息破坏事件", "information destruction", destruction},
    {"content-security", "信息内容安全事件", "information content security", content},
    {"equipment-failure", "设备设施故障", "equipment or facility failure", failure},
    {"disaster", "灾害性事件", "disaster", disaster},
    {"other", "其他事件", "other", other},
    {NULL, NULL, NULL, NULL},
};

const struct category *category_all(void)
{
    return categories;
}

int category_parse(const char *code, const struct category **cat, const struct subcategory **sub)
{
    const char *slash = strchr(code, '/');
    size_t n = slash ? (size_t)(slash - code) : strlen(code);
    for (const struct category *c = categories; c->code; c++) {
        if (strlen(c->code) != n || strncmp(c->code, code, n) != 0)
            continue;
        *cat = c;
        *sub = NULL;
        if (!slash)
            return 0;
        for (const struct subcategory *s = c->subs; s->code; s++) {
            if (strcmp(s->code, slash + 1) == 0) {
                *sub = s;
                return 0;
            }
        }
        return -1;
    }
    return -1;
}

const char *gbt_class_zh(enum gbt_class c)
{
    static const char *const names[GBT_COUNT] = {
        "恶意程序事件", "网络攻击事件", "数据安全事件", "信息内容安全事件", "设备设施故障事件",
        "违规操作事件", "安全隐患事件", "异常行为事件", "不可抗力事件",     "其他事件",
    };
    return (unsigned)c < GBT_COUNT ? names[c] : "其他事件";
}
