import { makeCertificateAuthority } from "../helpers/certificates";
import { startFleet, runAudit, v34Host, v34Member, v34DriftedMember, v41Member } from "./liveFleet";
(async () => {
  const ca = makeCertificateAuthority();
  const fleet = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "member-1", objects: v34Member() },
    { name: "member-2", objects: v41Member() },
    { name: "drift", objects: v34DriftedMember() },
    { name: "expired", objects: v34Member(), certificate: "expired" },
    { name: "gone", objects: "closed" },
    { name: "plain", objects: [] },
    { name: "hung", objects: "silent" },
  ]);
  const t0 = Date.now();
  const r = await runAudit(["--kubeconfig", fleet.kubeconfig, ...["host","member-1","member-2","drift","expired","gone","plain","hung"].flatMap(c => ["--context", c]), "--timeout", "2", "--save", fleet.dir + "/snap"]);
  console.log(Date.now() - t0, "ms", r.code); console.log(r.stdout); console.log(r.stderr);
  await fleet.close(); ca.dispose();
})();
