/** The policy config keys that narrow which ConfigMap is KubeSphere's config (see `KubeSphereNamesFilter`). */
const NAME_KEYS = ["namespace", "configMap"] as const;

/**
 * Why a policy config's `namespace`/`configMap` differ between policies, or undefined when every policy has the same
 * (or none). Each policy reads only its own entry, so names set on some policies would narrow those alone: the
 * policies would judge different objects. Every policy recognises KubeSphere's config by what it holds, so no
 * protection is lost either way; `pulumi preview` runs with such a config, so the check does too, and warns.
 */
export function namesDifferBetweenPolicies(config: Readonly<Record<string, unknown>>, policies: readonly string[]): string | undefined {
  const groups = new Map<string, string[]>();
  for (const policy of policies) {
    const entry = config[policy];
    const names = NAME_KEYS.flatMap((key) => {
      const value = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>)[key] : undefined;
      if (typeof value !== "string" || value.trim() === "") return [];
      // Quoted only when it is a Kubernetes name: a value pasted by mistake (a token) is never printed.
      return [/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(value.trim()) ? `${key} '${value.trim()}'` : `a ${key} that is not a Kubernetes name`];
    });
    const label = names.length ? names.join(", ") : "no namespace or configMap";
    groups.set(label, [...(groups.get(label) ?? []), policy]);
  }
  if (groups.size <= 1) return undefined;
  const parts = [...groups].map(([label, members]) => `${members.join(", ")}: ${label}`);
  return (
    `namespace and configMap narrow which ConfigMap a policy takes for KubeSphere's config, and differ between policies (${parts.join("; ")}). ` +
    `Fix: set the same namespace and configMap on every policy, or remove them: every policy recognises the config by what it holds (a kubesphere.yaml with an authentication section) under any name.`
  );
}
