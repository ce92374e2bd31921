package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// Access says who may reach a route at all, before the store makes its own
// decision about any particular record.
type Access string

// The access levels a route may declare.
const (
	// Public routes need no sign-in.
	Public Access = "public"
	// SignedIn routes need a signed-in user (a session in the UI, a bearer
	// token in the API) and nothing more.
	SignedIn Access = "signed-in"
	// KindAction routes need a signed-in user whose role and organisation
	// may take Action on records of Kind at all (access.Can).
	KindAction Access = "kind-action"
)

// policy is a route's declared access rule.
type policy struct {
	access Access
	kind   contest.Kind
	action access.Action
	// record marks a route that names one record by {id}: a caller who may
	// not see it must get the same answer as for a missing one.
	record bool
	// pending allows a signed-in user who has still to set up a second
	// factor (the enrolment pages and sign-out).
	pending bool
	// stateless routes run without a session: no cookie is read or set
	// and no actor is known, so that the answer is the same for everyone
	// and may be cached (the public Protect page and feeds).
	stateless bool
}

func public() policy   { return policy{access: Public} }
func signedIn() policy { return policy{access: SignedIn} }
func can(act access.Action, kind contest.Kind) policy {
	return policy{access: KindAction, kind: kind, action: act}
}
func (p policy) onRecord() policy     { p.record = true; return p }
func (p policy) whilePending() policy { p.pending = true; return p }
func (p policy) withoutSession() policy {
	p.stateless = true
	return p
}
func (p policy) String() string {
	if p.access == KindAction {
		return fmt.Sprintf("%s %s", p.action, p.kind)
	}
	return string(p.access)
}

// allows reports whether the policy admits the actor (nil when not signed in).
func (p policy) allows(a *contest.Actor) bool {
	switch p.access {
	case Public:
		return true
	case SignedIn:
		return a != nil
	case KindAction:
		return a != nil && access.Can(a, p.action, p.kind)
	}
	return false
}

// route is one entry of the route table.
type route struct {
	method  string
	path    string
	policy  policy
	handler func(h *handler, w http.ResponseWriter, r *http.Request) error
}

func (rt route) pattern() string { return rt.method + " " + rt.path }

func (rt route) api() bool { return strings.HasPrefix(rt.path, "/api/") }

// routeTable is every route of the server, with its access policy. Each
// handler lives in its own file, named for the action.
func routeTable() []route {
	return []route{
		// Infrastructure.
		{"GET", "/assets/", public(), (*handler).serveAsset},
		{"GET", "/healthz", public(), (*handler).healthz},
		{"GET", "/metrics", public(), (*handler).serveMetrics},

		// Signing in and out, and the signed-in user's own account.
		{"GET", "/sign-in", public(), (*handler).showSignIn},
		{"POST", "/sign-in", public(), (*handler).signIn},
		{"POST", "/sign-out", signedIn().whilePending(), (*handler).signOut},
		{"GET", "/account/second-factor", signedIn().whilePending(), (*handler).showTOTPEnrol},
		{"POST", "/account/second-factor", signedIn().whilePending(), (*handler).enrolTOTP},
		{"GET", "/account/tokens", can(access.Create, contest.KindToken), (*handler).showTokenForm},
		{"POST", "/account/tokens", can(access.Create, contest.KindToken), (*handler).createToken},

		// Home and the four strands.
		{"GET", "/{$}", signedIn(), (*handler).home},
		{"GET", "/strands/{strand}", signedIn(), (*handler).strand},

		// Strand records: Pursue investigations and subjects of interest,
		// Prevent referrals.
		{"GET", "/investigations", can(access.Read, contest.KindInvestigation), (*handler).investigationList},
		{"GET", "/investigations/{id}", can(access.Read, contest.KindInvestigation).onRecord(), (*handler).investigationShow},
		{"GET", "/investigations/new", can(access.Create, contest.KindInvestigation), (*handler).investigationNew},
		{"POST", "/investigations", can(access.Create, contest.KindInvestigation), (*handler).investigationCreate},
		{"GET", "/investigations/{id}/classification", can(access.Read, contest.KindInvestigation).onRecord(), (*handler).investigationClassification},
		{"POST", "/investigations/{id}/classification", can(access.Admin, contest.KindInvestigation).onRecord(), (*handler).investigationClassify},
		{"GET", "/actions/new", can(access.Create, contest.KindAction), (*handler).actionNew},
		{"POST", "/actions", can(access.Create, contest.KindAction), (*handler).actionRaise},
		{"GET", "/actions", can(access.Read, contest.KindAction), (*handler).actionList},
		{"GET", "/actions/{id}", can(access.Read, contest.KindAction).onRecord(), (*handler).actionShow},
		{"POST", "/actions/{id}/allocation", can(access.Admin, contest.KindAction).onRecord(), actionStep(actionAllocate)},
		{"POST", "/actions/{id}/result", can(access.Update, contest.KindAction).onRecord(), actionStep(actionResult)},
		{"POST", "/actions/{id}/review", can(access.Admin, contest.KindAction).onRecord(), actionStep(actionReview)},
		{"POST", "/actions/{id}/file", can(access.Admin, contest.KindAction).onRecord(), actionStep(actionFile)},
		{"GET", "/subjects/new", can(access.Create, contest.KindSubject), (*handler).subjectNew},
		{"POST", "/subjects", can(access.Create, contest.KindSubject), (*handler).subjectCreate},
		{"GET", "/subjects/{id}/decisions", can(access.Read, contest.KindSubject).onRecord(), (*handler).subjectDecisions},
		{"POST", "/subjects/{id}/priority", can(access.Update, contest.KindSubject).onRecord(), subjectDecide(subjectPriority, "Priority recorded")},
		{"POST", "/subjects/{id}/assessment", can(access.Update, contest.KindSubject).onRecord(), subjectDecide(subjectAssess, "Assessment recorded")},
		{"POST", "/subjects/{id}/status", can(access.Update, contest.KindSubject).onRecord(), subjectDecide(subjectStatus, "Status changed")},
		{"GET", "/outcomes", can(access.Read, contest.KindOutcome), (*handler).outcomeList},
		{"POST", "/outcomes", can(access.Create, contest.KindOutcome), (*handler).outcomeCreate},
		{"GET", "/leads", can(access.Read, contest.KindLead), (*handler).leadList},
		{"POST", "/leads", can(access.Create, contest.KindLead), (*handler).leadCreate},
		{"POST", "/leads/{id}/discard", can(access.Update, contest.KindLead).onRecord(), (*handler).leadDiscard},
		{"GET", "/entities", can(access.Read, contest.KindEntity), (*handler).entityList},
		{"POST", "/entities", can(access.Create, contest.KindEntity), (*handler).entityCreate},
		{"GET", "/entities/{id}", can(access.Read, contest.KindEntity).onRecord(), (*handler).entityShow},
		{"POST", "/entities/{id}/links", can(access.Create, contest.KindLink).onRecord(), (*handler).linkCreate},
		{"GET", "/subjects", can(access.Read, contest.KindSubject), (*handler).subjectList},
		{"GET", "/subjects/{id}", can(access.Read, contest.KindSubject).onRecord(), (*handler).subjectShow},
		{"GET", "/prevent/referrals", can(access.Read, contest.KindPreventCase), (*handler).referralList},
		{"GET", "/prevent/referrals/{id}", can(access.Read, contest.KindPreventCase).onRecord(), (*handler).referralShow},
		// Prevent (issue 6): referral from any sector, what the referrer
		// learns, screening by counter-terrorism police.
		{"GET", "/prevent", can(access.Create, contest.KindPreventCase), (*handler).preventWork},
		{"GET", "/prevent/refer", can(access.Create, contest.KindPreventCase), (*handler).preventReferNew},
		{"POST", "/prevent/refer", can(access.Create, contest.KindPreventCase), (*handler).preventReferCreate},
		{"GET", "/prevent/outcome", can(access.Create, contest.KindPreventCase), (*handler).preventOutcome},
		{"GET", "/prevent/referrals/{id}/screening", can(access.Read, contest.KindPreventCase).onRecord(), (*handler).preventScreening},
		{"POST", "/prevent/referrals/{id}/screening/check", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventScreenCheck},
		{"POST", "/prevent/referrals/{id}/screening/decision", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventScreenDecide},
		{"GET", "/prevent/referrals/{id}/case", can(access.Read, contest.KindPreventCase).onRecord(), (*handler).preventCase},
		{"GET", "/prevent/referrals/{id}/assessments/new", can(access.Read, contest.KindPreventCase).onRecord(), (*handler).preventAssessNew},
		{"POST", "/prevent/referrals/{id}/assessments", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventAssess},
		{"POST", "/prevent/referrals/{id}/consents", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventConsent},
		{"POST", "/prevent/referrals/{id}/support", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventSupportOpen},
		{"POST", "/prevent/referrals/{id}/support/sessions", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventSupportSession},
		{"POST", "/prevent/referrals/{id}/support/exit", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventSupportExit},
		{"POST", "/prevent/referrals/{id}/reviews/{review}", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).preventReviewRecord},
		{"GET", "/prevent/reviews", can(access.Read, contest.KindPreventCase), (*handler).preventReviews},
		{"GET", "/panels", can(access.Read, contest.KindPanelMeeting), (*handler).panelList},
		{"GET", "/panels/new", can(access.Create, contest.KindPanelMeeting), (*handler).panelNew},
		{"POST", "/panels", can(access.Create, contest.KindPanelMeeting), (*handler).panelCreate},
		{"GET", "/panels/{id}", can(access.Read, contest.KindPanelMeeting).onRecord(), (*handler).panelShow},
		{"POST", "/panels/{id}/agenda", can(access.Update, contest.KindPanelMeeting).onRecord(), (*handler).panelAgenda},
		{"POST", "/panels/{id}/attendance", can(access.Update, contest.KindPanelMeeting).onRecord(), (*handler).panelAttendance},
		{"POST", "/panels/{id}/papers", can(access.Update, contest.KindPanelMeeting).onRecord(), (*handler).panelPaper},
		{"POST", "/panels/{id}/agenda/{item}/decision", can(access.Update, contest.KindPanelMeeting).onRecord(), (*handler).panelDecide},
		{"GET", "/prevent/deconflictions", can(access.Read, contest.KindDeconfliction), (*handler).preventDeconflictions},
		{"POST", "/prevent/deconflictions/{id}", can(access.Update, contest.KindDeconfliction).onRecord(), (*handler).preventDeconflict},
		{"GET", "/prevent/statistics", can(access.Read, contest.KindPreventCase), (*handler).preventStats},
		{"GET", "/prevent/statistics.csv", can(access.Read, contest.KindPreventCase), (*handler).preventStatsCSV},
		{"GET", "/ddp", can(access.Read, contest.KindDDPCase), (*handler).ddpList},
		{"GET", "/ddp/new", can(access.Create, contest.KindDDPCase), (*handler).ddpNew},
		{"POST", "/ddp", can(access.Create, contest.KindDDPCase), (*handler).ddpCreate},
		{"GET", "/ddp/{id}", can(access.Read, contest.KindDDPCase).onRecord(), (*handler).ddpShow},
		{"POST", "/ddp/{id}/sessions", can(access.Update, contest.KindDDPCase).onRecord(), (*handler).ddpSession},

		// The national threat level.
		{"GET", "/threat-level", can(access.Read, contest.KindThreatLevel), (*handler).threatHistory},
		{"POST", "/threat-level", can(access.Update, contest.KindThreatLevel), (*handler).threatSet},

		// Protect: online terrorist content referrals and hash banks.
		{"GET", "/content", can(access.Read, contest.KindContentRef), (*handler).contentList},
		{"GET", "/content/new", can(access.Create, contest.KindContentRef), (*handler).contentNew},
		{"POST", "/content", can(access.Create, contest.KindContentRef), (*handler).contentCreate},
		{"GET", "/content/statistics", can(access.Read, contest.KindContentRef), (*handler).contentStats},
		{"GET", "/content/{id}", can(access.Read, contest.KindContentRef).onRecord(), (*handler).contentShow},
		{"POST", "/content/{id}/captures", can(access.Create, contest.KindContentRef).onRecord(), (*handler).contentCaptureUpload},
		{"GET", "/content/{id}/captures/{capture}", can(access.Read, contest.KindContentRef).onRecord(), (*handler).contentCaptureDownload},
		{"POST", "/content/{id}/assessment", can(access.Create, contest.KindContentRef).onRecord(), (*handler).contentAssess},
		{"POST", "/content/{id}/request", can(access.Create, contest.KindContentRef).onRecord(), (*handler).contentSend},
		{"POST", "/content/{id}/response", can(access.Update, contest.KindContentRef).onRecord(), (*handler).contentRespond},
		{"GET", "/hash-banks", can(access.Read, contest.KindHashBank), (*handler).hashBankList},
		{"POST", "/hash-banks", can(access.Create, contest.KindHashBank), (*handler).hashBankCreate},
		{"GET", "/hash-banks/{id}", can(access.Read, contest.KindHashBank).onRecord(), (*handler).hashBankShow},
		{"POST", "/hash-banks/{id}", can(access.Update, contest.KindHashBank).onRecord(), (*handler).hashBankUpdate},
		{"POST", "/hash-banks/{id}/import", can(access.Update, contest.KindHashBank).onRecord(), (*handler).hashBankImport},
		{"GET", "/hash-banks/{id}/export", can(access.Export, contest.KindHashBank).onRecord(), (*handler).hashBankExport},

		// Join the dots: possible matches between mentions of people, and
		// the closed subjects they bring new information on.
		{"GET", "/possible-matches", can(access.Read, contest.KindPossibleMatch), (*handler).matchList},
		{"GET", "/possible-matches/{id}", can(access.Read, contest.KindPossibleMatch).onRecord(), (*handler).matchShow},
		{"POST", "/possible-matches/{id}/decision", can(access.Update, contest.KindPossibleMatch).onRecord(), (*handler).matchDecide},
		{"GET", "/reassessments", can(access.Read, contest.KindReassessment), (*handler).reassessmentList},
		{"POST", "/reassessments/{id}/decision", can(access.Update, contest.KindReassessment).onRecord(), (*handler).reassessmentDecide},

		// Administration.
		{"GET", "/admin", signedIn(), (*handler).adminIndex},

		// Administration: organisations.
		{"GET", "/admin/organisations", can(access.Read, contest.KindOrg), (*handler).orgList},
		{"GET", "/admin/organisations/new", can(access.Create, contest.KindOrg), (*handler).orgNew},
		{"POST", "/admin/organisations", can(access.Create, contest.KindOrg), (*handler).orgCreate},
		{"GET", "/admin/organisations/{id}", can(access.Read, contest.KindOrg).onRecord(), (*handler).orgShow},

		// Administration: users.
		{"GET", "/admin/users", can(access.Read, contest.KindUser), (*handler).userList},
		{"GET", "/admin/users/new", can(access.Create, contest.KindUser), (*handler).userNew},
		{"POST", "/admin/users", can(access.Create, contest.KindUser), (*handler).userCreate},
		{"GET", "/admin/users/{id}", can(access.Read, contest.KindUser).onRecord(), (*handler).userShow},
		{"POST", "/admin/users/{id}", can(access.Update, contest.KindUser).onRecord(), (*handler).userUpdate},
		{"POST", "/admin/users/{id}/disable", can(access.Update, contest.KindUser).onRecord(), (*handler).userDisable},
		{"POST", "/admin/users/{id}/enable", can(access.Update, contest.KindUser).onRecord(), (*handler).userEnable},
		{"POST", "/admin/users/{id}/password", can(access.Update, contest.KindUser).onRecord(), (*handler).userResetPassword},

		// Administration: compartments.
		{"GET", "/admin/compartments", can(access.Read, contest.KindCompartment), (*handler).compartmentList},
		{"GET", "/admin/compartments/new", can(access.Create, contest.KindCompartment), (*handler).compartmentNew},
		{"POST", "/admin/compartments", can(access.Create, contest.KindCompartment), (*handler).compartmentCreate},
		{"GET", "/admin/compartments/{id}", can(access.Read, contest.KindCompartment).onRecord(), (*handler).compartmentShow},
		{"POST", "/admin/compartments/{id}/members", can(access.Admin, contest.KindCompartment).onRecord(), (*handler).compartmentMemberAdd},
		{"POST", "/admin/compartments/{id}/members/{user}/remove", can(access.Admin, contest.KindCompartment).onRecord(), (*handler).compartmentMemberRemove},

		// The audit trail.
		{"GET", "/audit", can(access.Read, contest.KindAudit), (*handler).auditSearch},
		{"POST", "/audit/export", can(access.Export, contest.KindAudit), (*handler).auditExport},
		{"POST", "/audit/verify", can(access.Read, contest.KindAudit), (*handler).auditVerify},

		// Reports: the public form (no sign-in), the staff and business
		// forms, and the triage desk.
		{"GET", "/report", public(), (*handler).reportForm},
		{"POST", "/report", public(), (*handler).reportSubmit},
		{"GET", "/reports/call", can(access.Update, contest.KindReport), (*handler).reportCallForm},
		{"POST", "/reports/call", can(access.Update, contest.KindReport), (*handler).reportCallSubmit},
		{"GET", "/reports/business/precursor", can(access.Create, contest.KindReport), (*handler).reportPrecursorForm},
		{"POST", "/reports/business/precursor", can(access.Create, contest.KindReport), (*handler).reportPrecursorSubmit},
		{"GET", "/reports/business/premises", can(access.Create, contest.KindReport), (*handler).reportPremisesForm},
		{"POST", "/reports/business/premises", can(access.Create, contest.KindReport), (*handler).reportPremisesSubmit},
		{"GET", "/triage", can(access.Update, contest.KindReport), (*handler).triageQueue},
		{"GET", "/triage/reports/{id}", can(access.Update, contest.KindReport).onRecord(), (*handler).triageShow},
		{"POST", "/triage/reports/{id}", can(access.Update, contest.KindReport).onRecord(), (*handler).triageDecide},
		{"POST", "/triage/reports/{id}/cluster", can(access.Update, contest.KindReport).onRecord(), (*handler).triageResolveCluster},
		{"POST", "/triage/reports/{id}/rumour", can(access.Admin, contest.KindReport).onRecord(), (*handler).triageRumour},
		{"GET", "/triage/reports/{id}/attachments/{att}", can(access.Update, contest.KindReport).onRecord(), (*handler).triageAttachment},

		// The JSON API. Bearer tokens only.
		{"GET", "/api/v1/openapi.json", public(), (*handler).apiOpenAPI},
		{"GET", "/api/v1/me", signedIn(), (*handler).apiMe},
		{"GET", "/api/v1/threat-level", public(), (*handler).apiThreatCurrent},
		{"GET", "/api/v1/threat-level/history", can(access.Read, contest.KindThreatLevel), (*handler).apiThreatHistory},
		{"POST", "/api/v1/threat-level", can(access.Update, contest.KindThreatLevel), (*handler).apiThreatSet},
		{"GET", "/api/v1/organisations", can(access.Read, contest.KindOrg), (*handler).apiOrgList},
		{"POST", "/api/v1/organisations", can(access.Create, contest.KindOrg), (*handler).apiOrgCreate},
		{"GET", "/api/v1/organisations/{id}", can(access.Read, contest.KindOrg).onRecord(), (*handler).apiOrgShow},
		{"GET", "/api/v1/users", can(access.Read, contest.KindUser), (*handler).apiUserList},
		{"POST", "/api/v1/users", can(access.Create, contest.KindUser), (*handler).apiUserCreate},
		{"GET", "/api/v1/users/{id}", can(access.Read, contest.KindUser).onRecord(), (*handler).apiUserShow},
		{"PATCH", "/api/v1/users/{id}", can(access.Update, contest.KindUser).onRecord(), (*handler).apiUserUpdate},
		{"POST", "/api/v1/users/{id}/disable", can(access.Update, contest.KindUser).onRecord(), (*handler).apiUserDisable},
		{"POST", "/api/v1/users/{id}/enable", can(access.Update, contest.KindUser).onRecord(), (*handler).apiUserEnable},
		{"POST", "/api/v1/users/{id}/password", can(access.Update, contest.KindUser).onRecord(), (*handler).apiUserResetPassword},
		{"GET", "/api/v1/compartments", can(access.Read, contest.KindCompartment), (*handler).apiCompartmentList},
		{"POST", "/api/v1/compartments", can(access.Create, contest.KindCompartment), (*handler).apiCompartmentCreate},
		{"GET", "/api/v1/compartments/{id}", can(access.Read, contest.KindCompartment).onRecord(), (*handler).apiCompartmentShow},
		{"PUT", "/api/v1/compartments/{id}/members/{user}", can(access.Admin, contest.KindCompartment).onRecord(), (*handler).apiCompartmentMemberAdd},
		{"DELETE", "/api/v1/compartments/{id}/members/{user}", can(access.Admin, contest.KindCompartment).onRecord(), (*handler).apiCompartmentMemberRemove},
		{"GET", "/api/v1/audit", can(access.Read, contest.KindAudit), (*handler).apiAuditSearch},
		{"GET", "/api/v1/audit/export", can(access.Export, contest.KindAudit), (*handler).apiAuditExport},
		{"POST", "/api/v1/audit/verify", can(access.Read, contest.KindAudit), (*handler).apiAuditVerify},
		{"GET", "/api/v1/investigations", can(access.Read, contest.KindInvestigation), (*handler).apiInvestigationList},
		{"GET", "/api/v1/investigations/{id}", can(access.Read, contest.KindInvestigation).onRecord(), (*handler).apiInvestigationShow},
		{"GET", "/api/v1/subjects", can(access.Read, contest.KindSubject), (*handler).apiSubjectList},
		{"GET", "/api/v1/subjects/{id}", can(access.Read, contest.KindSubject).onRecord(), (*handler).apiSubjectShow},
		{"GET", "/api/v1/prevent/referrals", can(access.Read, contest.KindPreventCase), (*handler).apiReferralList},
		{"GET", "/api/v1/prevent/referrals/{id}", can(access.Read, contest.KindPreventCase).onRecord(), (*handler).apiReferralShow},
		{"POST", "/api/v1/prevent/referrals", can(access.Create, contest.KindPreventCase), (*handler).apiPreventReferralCreate},
		{"GET", "/api/v1/prevent/my-referrals/{reference}", can(access.Create, contest.KindPreventCase), (*handler).apiPreventOutcome},
		{"POST", "/api/v1/prevent/referrals/{id}/screening", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).apiPreventScreenCheck},
		{"POST", "/api/v1/prevent/referrals/{id}/screening/decision", can(access.Update, contest.KindPreventCase).onRecord(), (*handler).apiPreventScreenDecide},
		{"GET", "/api/v1/prevent/statistics", can(access.Read, contest.KindPreventCase), (*handler).apiPreventStats},

		{"POST", "/api/v1/public/reports", public(), (*handler).apiPublicReport},

		{"GET", "/api/v1/possible-matches", can(access.Read, contest.KindPossibleMatch), (*handler).apiMatchList},
		{"GET", "/api/v1/possible-matches/{id}", can(access.Read, contest.KindPossibleMatch).onRecord(), (*handler).apiMatchShow},
		{"POST", "/api/v1/possible-matches/{id}/decision", can(access.Update, contest.KindPossibleMatch).onRecord(), (*handler).apiMatchDecide},
		{"GET", "/api/v1/reassessments", can(access.Read, contest.KindReassessment), (*handler).apiReassessmentList},
		{"POST", "/api/v1/reassessments/{id}/decision", can(access.Update, contest.KindReassessment).onRecord(), (*handler).apiReassessmentDecide},

		{"GET", "/api/v1/content-referrals", can(access.Read, contest.KindContentRef), (*handler).apiContentList},
		{"POST", "/api/v1/content-referrals", can(access.Create, contest.KindContentRef), (*handler).apiContentCreate},
		{"GET", "/api/v1/content-referrals/{id}", can(access.Read, contest.KindContentRef).onRecord(), (*handler).apiContentShow},
		{"POST", "/api/v1/content-referrals/{id}/response", can(access.Update, contest.KindContentRef).onRecord(), (*handler).apiContentRespond},
		{"POST", "/api/v1/content-referrals/{id}/captures", can(access.Create, contest.KindContentRef).onRecord(), (*handler).apiContentCaptureUpload},
		{"GET", "/api/v1/content-statistics", can(access.Read, contest.KindContentRef), (*handler).apiContentStats},
		{"POST", "/api/v1/hash", can(access.Read, contest.KindHashBank), (*handler).apiHash},
		{"GET", "/api/v1/match", can(access.Read, contest.KindHashBank), (*handler).apiMatch},

		// Protect: bulletins, sectors, partners' delivery channels, the
		// premises register and training records.
		{"GET", "/bulletins", can(access.Read, contest.KindBulletin), (*handler).bulletinList},
		{"GET", "/bulletins/new", can(access.Create, contest.KindBulletin), (*handler).bulletinNew},
		{"POST", "/bulletins", can(access.Create, contest.KindBulletin), (*handler).bulletinCreate},
		{"GET", "/bulletins/{id}", can(access.Read, contest.KindBulletin).onRecord(), (*handler).bulletinShow},
		{"POST", "/bulletins/{id}/publish", can(access.Update, contest.KindBulletin).onRecord(), (*handler).bulletinPublish},
		{"POST", "/bulletins/{id}/acknowledge", can(access.Read, contest.KindBulletin).onRecord(), (*handler).bulletinAcknowledge},
		{"POST", "/bulletins/{id}/resend", can(access.Update, contest.KindBulletin).onRecord(), (*handler).bulletinResend},
		{"POST", "/bulletins/{id}/cascade", can(access.Read, contest.KindBulletin).onRecord(), (*handler).bulletinCascade},
		{"GET", "/protect/sectors", can(access.Read, contest.KindOrg), (*handler).sectorList},
		{"POST", "/protect/sectors", can(access.Create, contest.KindOrg), (*handler).sectorCreate},
		{"POST", "/protect/sectors/{id}/members", can(access.Update, contest.KindOrg).onRecord(), (*handler).sectorMember},
		{"GET", "/protect/partners/{id}", can(access.Update, contest.KindOrg).onRecord(), (*handler).partnerChannels},
		{"POST", "/protect/partners/{id}", can(access.Update, contest.KindOrg).onRecord(), (*handler).partnerChannelsSet},
		{"POST", "/protect/partners/{id}/feed-token", can(access.Update, contest.KindOrg).onRecord(), (*handler).partnerFeedToken},
		{"GET", "/premises", can(access.Read, contest.KindPremises), (*handler).premisesList},
		{"GET", "/premises/new", can(access.Create, contest.KindPremises), (*handler).premisesNew},
		{"GET", "/premises/reviews", can(access.Read, contest.KindPremises), (*handler).premisesReviews},
		{"POST", "/premises", can(access.Create, contest.KindPremises), (*handler).premisesCreate},
		{"GET", "/premises/{id}", can(access.Read, contest.KindPremises).onRecord(), (*handler).premisesShow},
		{"POST", "/premises/{id}/assessments", can(access.Update, contest.KindPremises).onRecord(), (*handler).premisesAssess},
		{"POST", "/premises/{id}/findings/{finding}/resolve", can(access.Update, contest.KindPremises).onRecord(), (*handler).premisesResolve},
		{"POST", "/premises/{id}/plans", can(access.Update, contest.KindPremises).onRecord(), (*handler).premisesPlanUpload},
		{"GET", "/premises/{id}/plans/{plan}", can(access.Read, contest.KindPremises).onRecord(), (*handler).premisesPlan},
		{"GET", "/training", can(access.Read, contest.KindTraining), (*handler).trainingList},
		{"POST", "/training", can(access.Create, contest.KindTraining), (*handler).trainingCreate},
		// Protect for the public and partners' feed readers: no sign-in,
		// no session.
		{"GET", "/public", public().withoutSession(), (*handler).publicPage},
		{"GET", "/public/statements.atom", public().withoutSession(), (*handler).publicFeed},
		{"GET", "/feeds/bulletins.atom", public().withoutSession(), (*handler).partnerFeed},

		// Anything else is not found, in HTML or as a problem.
		{"", "/api/", public(), (*handler).apiNotFound},
		{"", "/", public(), (*handler).notFound},
	}
}

// checkRoutes refuses a route table with a route that declares no policy,
// or a duplicate pattern.
func checkRoutes(rs []route) error {
	seen := map[string]bool{}
	var errs []error
	for _, rt := range rs {
		switch rt.policy.access {
		case Public, SignedIn:
		case KindAction:
			if rt.policy.kind == "" || rt.policy.action == "" {
				errs = append(errs, fmt.Errorf("web: route %q declares a kind-action policy without a kind or action", rt.pattern()))
			}
		default:
			errs = append(errs, fmt.Errorf("web: route %q declares no access policy", rt.pattern()))
		}
		if rt.handler == nil {
			errs = append(errs, fmt.Errorf("web: route %q has no handler", rt.pattern()))
		}
		if seen[rt.pattern()] {
			errs = append(errs, fmt.Errorf("web: route %q is declared twice", rt.pattern()))
		}
		seen[rt.pattern()] = true
	}
	return errors.Join(errs...)
}

// RouteInfo describes one route and its declared access policy, for tests
// and documentation.
type RouteInfo struct {
	Method string // "" matches every method
	Path   string
	// Access is Public, SignedIn or KindAction.
	Access Access
	// Kind and Action are set for KindAction routes.
	Kind   contest.Kind
	Action access.Action
	// Record marks a route that names one record by its {id}.
	Record bool
	// API marks a route of the JSON API (bearer tokens, problem details).
	API bool
}

// Routes lists the route table.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteInfo{Method: rt.method, Path: rt.path, Access: rt.policy.access,
			Kind: rt.policy.kind, Action: rt.policy.action, Record: rt.policy.record, API: rt.api()})
	}
	return out
}

// Allows reports whether a route's declared policy admits the actor (nil
// for a caller who is not signed in). The store still decides about each
// record.
func (ri RouteInfo) Allows(a *contest.Actor) bool {
	return policy{access: ri.Access, kind: ri.Kind, action: ri.Action}.allows(a)
}
