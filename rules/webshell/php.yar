/*
 * tocsin webshell rules: PHP.
 *
 * Each rule names the family it stands for in `family` and what it looks for
 * in `description`. Strings are matched on the raw file; rules look for request
 * data reaching code execution, or for the machinery of a packed or encrypted
 * payload, never for one sample's text.
 */

rule php_exec_request_input
{
    meta:
        family = "one-line and chopper shells"
        description = "request data passed to eval, assert or a command-execution function"
    strings:
        $call = /(^|[^\w>:$])(eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s*\(\s*(@\s*)?(\(\s*\w+\s*\)\s*)?[^;]{0,80}\$_(GET|POST|REQUEST|COOKIE|SERVER|FILES)\b/ nocase
        $call_input = /(^|[^\w>:$])(eval|assert|system|shell_exec|passthru)\s*\(\s*(@\s*)?file_get_contents\s*\(\s*['"]php:\/\/input/ nocase
    condition:
        any of them
}

rule php_variable_function_from_request
{
    meta:
        family = "one-line and chopper shells"
        description = "a function whose name comes from the request, called with request data"
    strings:
        $a = /\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $b = /\$\{\s*['"]_(GET|POST|REQUEST|COOKIE)['"]\s*\}\s*\[[^\]]{1,40}\]\s*\(/ nocase
    condition:
        any of them
}

rule php_preg_replace_eval
{
    meta:
        family = "preg_replace /e shells"
        description = "preg_replace with the /e modifier, which evaluates the replacement as code"
    strings:
        $e = /preg_replace\s*\(\s*['"][\/#|~@!%][^'"]{1,200}[\/#|~@!%][imsxuADSUXJ]*e[imsxuADSUXJ]*['"]\s*,/
    condition:
        $e
}

rule php_create_function_payload
{
    meta:
        family = "create_function shells"
        description = "create_function whose body comes from the request or a decoder"
    strings:
        $cf = /create_function\s*\([^;]{0,120}(\$_(GET|POST|REQUEST|COOKIE)|base64_decode|gzinflate|str_rot13|hex2bin)/ nocase
    condition:
        $cf
}

rule php_eval_decoded_payload
{
    meta:
        family = "encoded-payload chains"
        description = "eval or assert of a base64, gzinflate, str_rot13 (and similar) decoding chain"
    strings:
        $chain = /(^|[^\w>:$])(eval|assert)\s*\(\s*(@\s*)?(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|hex2bin|rawurldecode|urldecode)\s*\(/ nocase
        $chain2 = /(gzinflate|gzuncompress|gzdecode)\s*\(\s*(base64_decode|str_rot13|strrev)\s*\(/ nocase
        $ev = /(^|[^\w>:$])(eval|assert)\s*\(/ nocase
    condition:
        $chain or ($chain2 and $ev)
}

rule php_payload_decryptor
{
    meta:
        family = "Behinder / Godzilla loaders"
        description = "request body decrypted (AES or a keyed XOR loop) and then executed"
    strings:
        $in1 = /file_get_contents\s*\(\s*['"]php:\/\/input['"]\s*\)/ nocase
        $in2 = /\$_POST\s*\[/ nocase
        $aes = "openssl_decrypt" nocase
        $xor = /\$\w+\s*\[\s*\$\w+\s*\]\s*=?\s*\$\w+\s*\[\s*\$\w+\s*\]\s*\^\s*\$\w+\s*\[\s*\(?\s*\$\w+\s*\+\s*1\s*\)?\s*&\s*15\s*\]/
        $xor2 = /\^\s*\$\w+\s*\[\s*\(?\s*\$\w+\s*\+\s*1\s*\)?\s*&\s*15\s*\]/
        $key16 = /\$\w+\s*\[\s*\(?\s*\$\w+\s*\+\s*1\s*\)?\s*&\s*(15|0x0?[fF])\s*\]/
        $xorany = /\$\w+\s*\[\s*\$\w+\s*\]\s*\^\s*\$\w+/
        $run1 = /(^|[^\w>:$])(eval|assert)\s*\(/ nocase
        $run2 = /new\s+\$\w+\s*\(/
        $run3 = /create_function/ nocase
        $sess = /\$_SESSION\s*\[\s*['"]?\$?\w+['"]?\s*\]\s*=/
    condition:
        ($in1 or ($in2 and $sess)) and ($aes or $xor or $xor2 or ($key16 and $xorany)) and
        any of ($run*)
}

rule php_file_manager_shell
{
    meta:
        family = "file-manager shells"
        description = "system fingerprinting, directory listing, upload and command execution together"
    strings:
        $sys1 = "php_uname" nocase
        $sys2 = "posix_getpwuid" nocase
        $sys3 = "disk_free_space" nocase
        $up = "move_uploaded_file" nocase
        $ls1 = /(^|[^\w>:$])(opendir|scandir|glob)\s*\(/ nocase
        $x1 = /(^|[^\w>:$])(shell_exec|passthru|system|proc_open|popen)\s*\(/ nocase
        $perm = /(^|[^\w>:$])(chmod|fileperms)\s*\(/ nocase
    condition:
        any of ($sys*) and $up and $ls1 and $x1 and $perm
}
