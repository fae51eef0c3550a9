<%@ page contentType="text/html;charset=UTF-8" %>
<%
    String pageNo = request.getParameter("page");
    Runtime rt = Runtime.getRuntime();
    long used = rt.totalMemory() - rt.freeMemory();
    out.println("cpus " + rt.availableProcessors() + ", used " + used / 1048576 + " MB, page " + pageNo);
%>
