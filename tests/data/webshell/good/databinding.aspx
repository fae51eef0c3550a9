<%@ Page Language="C#" %>
<asp:Repeater runat="server"><ItemTemplate><%# Eval("Title") %> <%# DataBinder.Eval(Container.DataItem, "Date") %></ItemTemplate></asp:Repeater>
