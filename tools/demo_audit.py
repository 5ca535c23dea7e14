#!/usr/bin/env python3
"""Prints the local AWS endpoint's organization as a table a person reads at a glance.

Usage: demo_audit.py <endpoint URL> <title> [<account whose login profile is for password recovery>]
Reads the endpoint's control API (ground truth, independent of the provider).
"""
import json
import sys
import urllib.request


def main() -> int:
    endpoint, title = sys.argv[1], sys.argv[2]
    recovery = sys.argv[3] if len(sys.argv) > 3 else ""
    with urllib.request.urlopen(f"{endpoint}/_rootsim/state") as r:
        state = json.load(r)
    org = (state.get("organizations") or [{}])[0]
    names = {a["id"]: (a.get("name", ""), a.get("status", "")) for a in org.get("accounts", [])}
    print(f"\n=== {title} ===")
    print(f"organization {org.get('id', '-')}: features {', '.join(org.get('features') or []) or 'none'}; "
          f"IAM trusted access {'on' if 'iam.amazonaws.com' in (org.get('trusted_access') or []) else 'off'}")
    header = f"{'account':<14}{'name':<18}{'status':<11}{'password':<10}{'keys':<6}{'mfa':<5}{'certs':<7}locked resources"
    print(header)
    print("-" * len(header))
    for account_id, acct in sorted(state.get("accounts", {}).items()):
        if acct.get("role") == "management":
            continue
        name, status = names.get(account_id, ("", ""))
        rc = acct.get("root_credentials") or {}
        locked = [f"s3:{b}" for b, v in (acct.get("buckets") or {}).items() if v.get("policy")]
        locked += [f"sqs:{q}" for q, v in (acct.get("queues") or {}).items() if v.get("policy")]
        print(f"{account_id:<14}{name:<18}{status:<11}"
              f"{('recovery' if account_id == recovery else 'yes') if rc.get('login_profile') else '-':<10}"
              f"{len(rc.get('access_keys') or []) or '-':<6}"
              f"{len(rc.get('mfa_devices') or []) or '-':<5}"
              f"{len(rc.get('signing_certificates') or []) or '-':<7}"
              f"{', '.join(locked) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
