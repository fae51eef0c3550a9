<%@ page import="java.io.*" %>
<%
    // export of the monthly report to the shared folder
    File dir = new File(application.getRealPath("/reports"));
    String month = request.getParameter("month");
    FileOutputStream o = new FileOutputStream(new File(dir, "report-" + month.replaceAll("[^0-9-]", "") + ".csv"));
    o.write("month,visits\n".getBytes()); o.close();
    for (File f : dir.listFiles()) { out.println(f.getName()); }
%>
