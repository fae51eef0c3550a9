<%
Function EvalScore(s)
    EvalScore = Len(s) * 2
End Function
Response.Write Server.HTMLEncode(Request("name"))
Response.Write EvalScore(request("answer"))
%>
