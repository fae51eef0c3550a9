/* Personal data in page text: mainland resident ID numbers (18 characters,
 * a birth date that can be, an ISO 7064 MOD 11-2 check character) and mobile
 * numbers. Published lists of names with ID numbers are a leak the plan
 * counts as information destruction; the findings show them masked. Landline
 * numbers and service hotlines are how offices are reached, not a leak: only
 * mobile numbers count, and only several of them. */
#include "probe_int.h"

#include <ctype.h>
#include <string.h>

#define MOBILES_ALARM 3 /* distinct mobile numbers on one page */

int probe_is_resident_id(const char *s)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        sum += (s[i] - '0') * weight[i];
    }
    char c = (char)toupper((unsigned char)s[17]);
    if (c != check[sum % 11])
        return 0;
    /* region 11…82, birth date 1900-01-01 … 2099-12-31 */
    int region = (s[0] - '0') * 10 + (s[1] - '0');
    int year = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    int month = (s[10] - '0') * 10 + (s[11] - '0');
    int day = (s[12] - '0') * 10 + (s[13] - '0');
    return region >= 11 && region <= 82 && year >= 1900 && year <= 2099 && month >= 1 &&
           month <= 12 && day >= 1 && day <= 31;
}

void probe_pii_scan(const char *t, size_t n, struct probe_findings *f)
{
    int ids = 0;
    char first_id[32] = "", mobiles[MOBILES_ALARM][12];
    int nmob = 0, mob_total = 0;
    size_t i = 0;
    while (i < n) {
        if (!isdigit((unsigned char)t[i])) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < n && isdigit((unsigned char)t[i]))
            i++;
        size_t len = i - a;
        int x = len == 17 && i < n && (t[i] == 'X' || t[i] == 'x');
        /* a run of digits touching letters is a code, not a number */
        int glued = (a > 0 && isalpha((unsigned char)t[a - 1])) ||
                    (i + (size_t)x < n && isalpha((unsigned char)t[i + (size_t)x]) && !x);
        if (glued)
            continue;
        if ((len == 18 || x) && probe_is_resident_id(t + a)) {
            if (!ids++)
                snprintf(first_id, sizeof first_id, "%.6s********%.3s%c", t + a, t + a + 14,
                         t[a + 17]);
            i += (size_t)x;
        } else if (len == 11 && t[a] == '1' && t[a + 1] >= '3' && t[a + 1] <= '9') {
            mob_total++;
            int seen = 0;
            for (int k = 0; k < nmob; k++)
                seen |= memcmp(mobiles[k], t + a, 11) == 0;
            if (!seen && nmob < MOBILES_ALARM) {
                memcpy(mobiles[nmob], t + a, 11);
                mobiles[nmob++][11] = 0;
            }
        }
    }
    if (ids)
        probe_add(f, "information-destruction/leak", "personal-data", PROBE_HIGH, "resident-id",
                  first_id, "%d resident ID number%s on the page (%s)", ids, ids == 1 ? "" : "s",
                  first_id);
    if (nmob >= MOBILES_ALARM) {
        char ex[64];
        snprintf(ex, sizeof ex, "%.3s****%.4s", mobiles[0], mobiles[0] + 7);
        probe_add(f, "information-destruction/leak", "personal-data", PROBE_MEDIUM, "mobile", ex,
                  "%d mobile numbers on the page (%s, …)", mob_total, ex);
    }
}
