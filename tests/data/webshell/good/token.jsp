<%@ page import="javax.crypto.*,javax.crypto.spec.*,java.util.Base64" %>
<%
    String t = request.getParameter("t");
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, (SecretKey) application.getAttribute("key"), new GCMParameterSpec(128, new byte[12]));
    String user = new String(c.doFinal(Base64.getDecoder().decode(t)), "UTF-8");
    session.setAttribute("user", user);
%>
