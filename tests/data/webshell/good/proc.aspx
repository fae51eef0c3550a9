<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
    var id = Request.QueryString["id"];
    Response.Write("memory " + Process.GetCurrentProcess().WorkingSet64 / 1048576 + " MB for " + Server.HtmlEncode(id));
}
</script>
