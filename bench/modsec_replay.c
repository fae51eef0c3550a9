/* The peer of bench/logwatch-coverage.sh: libmodsecurity3 with Debian's CRS
 * replaying what access-log lines hold. Reads "METHOD<TAB>URI<TAB>UA<TAB>
 * REFERER" lines; writes per line "B ID ID…": B is 1 when CRS blocked the
 * request (its inbound anomaly score reached the threshold), then the ids
 * of the rules that matched.
 * Usage: modsec_replay CRS-RULES-DIR PARANOIA < requests
 * Build: cc -O2 -o modsec_replay modsec_replay.c -lmodsecurity */
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char ids[8192];
static size_t nids;

static void on_log(void *data, const void *msg)
{
    (void)data;
    const char *m = msg, *p = m;
    while ((p = strstr(p, "[id \""))) {
        p += 5;
        size_t n = strcspn(p, "\"");
        if (nids + n + 2 < sizeof(ids) && n < 12) {
            ids[nids++] = ' ';
            memcpy(ids + nids, p, n);
            nids += n;
            ids[nids] = '\0';
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: modsec_replay CRS-RULES-DIR PARANOIA < requests\n");
        return 2;
    }
    ModSecurity *ms = msc_init();
    msc_set_connector_info(ms, "tocsin-bench");
    msc_set_log_cb(ms, on_log);
    RulesSet *rules = msc_create_rules_set();
    const char *err = NULL;
    char conf[2048];
    snprintf(conf, sizeof(conf),
             "SecRuleEngine On\nSecRequestBodyAccess On\n"
             "SecAction \"id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=%s\"\n"
             "Include /etc/modsecurity/crs/crs-setup.conf\n"
             "Include %s/*.conf\n",
             argv[2], argv[1]);
    if (msc_rules_add(rules, conf, &err) < 0) {
        fprintf(stderr, "modsec_replay: %s\n", err ? err : "rules refused");
        return 2;
    }
    static char line[1 << 17];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        char *f[4] = {line, "", "", ""};
        for (int k = 1; k < 4; k++) {
            char *t = strchr(f[k - 1], '\t');
            if (!t)
                break;
            *t = '\0';
            f[k] = t + 1;
        }
        nids = 0;
        ids[0] = '\0';
        Transaction *t = msc_new_transaction(ms, rules, NULL);
        msc_process_connection(t, "127.0.0.1", 40000, "127.0.0.1", 80);
        msc_process_uri(t, f[1], f[0], "1.1");
        msc_add_request_header(t, (const unsigned char *)"Host",
                               (const unsigned char *)"localhost");
        if (*f[2])
            msc_add_request_header(t, (const unsigned char *)"User-Agent",
                                   (const unsigned char *)f[2]);
        if (*f[3])
            msc_add_request_header(t, (const unsigned char *)"Referer",
                                   (const unsigned char *)f[3]);
        msc_add_request_header(t, (const unsigned char *)"Accept", (const unsigned char *)"*/*");
        msc_process_request_headers(t);
        msc_process_request_body(t);
        ModSecurityIntervention it = {.status = 200};
        int blocked = msc_intervention(t, &it) && it.status >= 400;
        free(it.url);
        free(it.log);
        msc_process_logging(t);
        msc_transaction_cleanup(t);
        printf("%d%s\n", blocked, ids);
    }
    msc_rules_cleanup(rules);
    msc_cleanup(ms);
    return 0;
}
