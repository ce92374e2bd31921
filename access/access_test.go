package access_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

func actor(role contest.Role, ok contest.OrgKind, v contest.Vetting, comps ...int64) *contest.Actor {
	return &contest.Actor{UserID: 7, OrgID: 3, OrgKind: ok, OrgArea: "Northshire", Role: role, Vetting: v, Compartments: comps, TOTPEnrolled: true}
}

func TestDecide(t *testing.T) {
	inv := actor(contest.RoleInvestigator, contest.OrgCTP, contest.SC, 1, 2)
	tests := []struct {
		name  string
		a     *contest.Actor
		act   access.Action
		kind  contest.Kind
		meta  contest.Meta
		allow bool
	}{
		{"VettingCovers", inv, access.Read, contest.KindSubject, contest.Meta{Classification: contest.Secret}, true},
		{"VettingTooLow", inv, access.Read, contest.KindSubject, contest.Meta{Classification: contest.TopSecret}, false},
		{"AllCompartments", inv, access.Read, contest.KindSubject, contest.Meta{Classification: contest.Official, Compartments: []int64{1, 2}}, true},
		{"MissingCompartment", inv, access.Read, contest.KindSubject, contest.Meta{Classification: contest.Official, Compartments: []int64{1, 3}}, false},
		{"NoClassification", inv, access.Read, contest.KindSubject, contest.Meta{}, false},
		{"RoleNotAllowed", actor(contest.RolePreventOfficer, contest.OrgCTP, contest.DV), access.Read, contest.KindSubject, contest.Meta{Classification: contest.Official}, false},
		{"LocalAuthorityNeverPursue", actor(contest.RoleSupervisor, contest.OrgLocalAuthority, contest.DV), access.Read, contest.KindSubject, contest.Meta{Classification: contest.Official}, false},
		{"LocalAuthorityOwnArea", actor(contest.RolePanelMember, contest.OrgLocalAuthority, contest.CTC), access.Read, contest.KindPreventCase, contest.Meta{Classification: contest.Official, Area: "northshire"}, true},
		{"LocalAuthorityOtherArea", actor(contest.RolePanelMember, contest.OrgLocalAuthority, contest.CTC), access.Read, contest.KindPreventCase, contest.Meta{Classification: contest.Official, Area: "Southvale"}, false},
		{"BusinessOwnReport", actor(contest.RolePartner, contest.OrgBusiness, contest.BPSS), access.Read, contest.KindReport, contest.Meta{Classification: contest.Official, OwnerOrgID: 3}, true},
		{"BusinessOtherReport", actor(contest.RolePartner, contest.OrgBusiness, contest.BPSS), access.Read, contest.KindReport, contest.Meta{Classification: contest.Official, OwnerOrgID: 4}, false},
		{"BusinessBulletin", actor(contest.RolePartner, contest.OrgBusiness, contest.BPSS), access.Read, contest.KindBulletin, contest.Meta{Classification: contest.Official, OwnerOrgID: 9}, true},
		{"PlatformOwnReferral", actor(contest.RolePartner, contest.OrgOnlinePlatform, contest.BPSS), access.Read, contest.KindContentRef, contest.Meta{Classification: contest.Official, OwnerOrgID: 3}, true},
		{"PlatformOtherReferral", actor(contest.RolePartner, contest.OrgOnlinePlatform, contest.BPSS), access.Read, contest.KindContentRef, contest.Meta{Classification: contest.Official, OwnerOrgID: 5}, false},
		{"AuditorOnlyAudit", actor(contest.RoleAdmin, contest.OrgCTP, contest.DV), access.Read, contest.KindAudit, contest.Meta{Classification: contest.Official}, false},
		{"Auditor", actor(contest.RoleAuditor, contest.OrgCTP, contest.SC), access.Read, contest.KindAudit, contest.Meta{Classification: contest.Official}, true},
		{"AdminWithoutSecondFactor", &contest.Actor{Role: contest.RoleAdmin, OrgKind: contest.OrgCTP, Vetting: contest.SC}, access.Read, contest.KindOrg, contest.Meta{Classification: contest.Official}, false},
		{"ThreatLevelSecurityServiceSupervisor", actor(contest.RoleSupervisor, contest.OrgSecurityService, contest.SC), access.Update, contest.KindThreatLevel, contest.Meta{Classification: contest.Official}, true},
		{"ThreatLevelPoliceSupervisor", actor(contest.RoleSupervisor, contest.OrgCTP, contest.SC), access.Update, contest.KindThreatLevel, contest.Meta{Classification: contest.Official}, false},
		{"NoActor", nil, access.Read, contest.KindOrg, contest.Meta{Classification: contest.Official}, false},
		{"UnknownKind", inv, access.Read, contest.Kind("mystery"), contest.Meta{Classification: contest.Official}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := access.Decide(tt.a, tt.act, tt.kind, &tt.meta)
			if d.Allowed != tt.allow {
				t.Fatalf("Decide = %+v, want allowed=%v", d, tt.allow)
			}
			if !d.Allowed && d.Reason == "" {
				t.Fatal("a refusal must carry its reason for the audit trail")
			}
		})
	}
}

// TestEveryKindHasPolicy: a kind the system stores without a declared
// policy would be refused to everyone silently; this names it instead.
func TestEveryKindHasPolicy(t *testing.T) {
	for _, k := range []contest.Kind{contest.KindOrg, contest.KindUser, contest.KindCompartment, contest.KindThreatLevel, contest.KindAudit,
		contest.KindToken, contest.KindInvestigation, contest.KindSubject, contest.KindPreventCase, contest.KindReport, contest.KindBulletin,
		contest.KindContentRef, contest.KindIncident} {
		if _, ok := access.Policy[k]; !ok {
			t.Errorf("kind %s has no access policy", k)
		}
	}
}
