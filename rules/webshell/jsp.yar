/*
 * tocsin webshell rules: JSP and Java.
 */

rule jsp_exec_request_input
{
    meta:
        family = "JSP command shells"
        description = "Runtime.exec or ProcessBuilder fed from request parameters"
    strings:
        $rt = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
        $pb = /new\s+ProcessBuilder\s*\(/
        $req1 = /request\s*\.\s*getParameter(Values|Map)?\s*\(/
        $req2 = /request\s*\.\s*getHeader\s*\(/
        $direct = /\.\s*exec\s*\(\s*(new\s+String\s*\[\s*\]\s*\{[^}]{0,80})?request\s*\.\s*getParameter/
    condition:
        $direct or (($rt or $pb) and ($req1 or $req2))
}

rule jsp_class_loader_payload
{
    meta:
        family = "Behinder / Godzilla JSP loaders"
        description = "bytes from the request decrypted or decoded and defined as a class"
    strings:
        $def = /defineClass\s*\(/
        $cl = /extends\s+ClassLoader/
        $cl2 = "URLClassLoader"
        $c1 = /Cipher\s*\.\s*getInstance\s*\(/
        $c2 = "BASE64Decoder"
        $c3 = /Base64\s*\.\s*getDecoder\s*\(/
        $r1 = /request\s*\.\s*(getReader|getInputStream)\s*\(/
        $r2 = /request\s*\.\s*getParameter\s*\(/
        $s1 = /session\s*\.\s*(putValue|setAttribute)\s*\(/
    condition:
        $def and ($cl or $cl2) and any of ($c*) and (any of ($r*) or $s1)
}

rule jsp_file_manager_shell
{
    meta:
        family = "JSP file-manager shells"
        description = "listing, writing, deleting and executing from request parameters together"
    strings:
        $ls = /\.\s*listFiles\s*\(/
        $w = /new\s+FileOutputStream\s*\(/
        $req = /request\s*\.\s*getParameter\s*\(/
        $del = /\.\s*(delete|renameTo)\s*\(/
        $x = /(getRuntime\s*\(\s*\)|new\s+ProcessBuilder)/
    condition:
        all of them
}

rule jsp_expression_injection_loader
{
    meta:
        family = "JSP script-engine shells"
        description = "a script engine evaluating request data"
    strings:
        $se = /ScriptEngineManager\s*\(\s*\)\s*\.\s*getEngineByName\s*\(/
        $ev = /\.\s*eval\s*\(\s*request\s*\.\s*getParameter/
    condition:
        $se and $ev
}
