<%
Dim t
t = Request.ServerVariables("SCRIPT_NAME")
Set fso = CreateObject("Scripting.FileSystemObject")
Response.Write fso.FileExists(Server.MapPath("news.asp"))
%>
