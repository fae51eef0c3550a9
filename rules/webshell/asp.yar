/*
 * tocsin webshell rules: ASP and ASP.NET.
 */

rule asp_eval_request
{
    meta:
        family = "ASP one-line shells"
        description = "VBScript eval or execute of request data"
    strings:
        $e = /(^|[^\w.])(eval|execute|executeglobal)\s*\(?\s*request\s*(\.\s*(form|querystring|item))?\s*\(/ nocase
    condition:
        $e
}

rule aspx_jscript_eval_request
{
    meta:
        family = "ASPX one-line shells"
        description = "JScript.NET eval of request data"
    strings:
        $e = /eval\s*\(\s*Request\s*(\.\s*(Item|Form|QueryString|Params))?\s*\[/ nocase
    condition:
        $e
}

rule aspx_process_from_request
{
    meta:
        family = "ASPX command shells"
        description = "a process started with command text from the request"
    strings:
        $p1 = "ProcessStartInfo"
        $p2 = /Process\s*\.\s*Start\s*\(/
        $req = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*\[/ nocase
        $cmd = /cmd(\.exe)?['"]/ nocase
    condition:
        any of ($p*) and $req and $cmd
}

rule aspx_assembly_load_payload
{
    meta:
        family = "Behinder / Godzilla ASPX loaders"
        description = "request bytes decrypted and loaded as an assembly"
    strings:
        $load = /Assembly\s*\.\s*Load\s*\(/
        $r1 = /Request\s*\.\s*BinaryRead\s*\(/ nocase
        $r2 = /Request\s*(\.\s*(Form|Item|Params))?\s*\[/ nocase
        $c1 = "RijndaelManaged"
        $c2 = /CreateDecryptor\s*\(/
        $c3 = /FromBase64String\s*\(/
    condition:
        $load and any of ($r*) and any of ($c*)
}
