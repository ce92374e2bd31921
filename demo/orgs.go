package demo

import (
	"github.com/contest-ct/contest"
)

// region is a Home Office statistics region (the nine English regions and
// Wales) with its fictional local-authority areas and police force.
type region struct {
	name   string
	weight int // share of Prevent referrals, per cent
	areas  []string
	police string
}

// regions lists the regions in the order of the Home Office release. The
// weights follow the published shares of referrals; the areas and forces
// are invented.
var regions = []region{
	{"North East", 7, []string{"Wendlemouth", "Coldwater Vale", "Ravensholm"}, "Coldwater Police"},
	{"North West", 13, []string{"Ashbridge", "Kelmsford", "Pendlecroft"}, "Pendle Vale Constabulary"},
	{"Yorkshire and the Humber", 10, []string{"Thornwick", "Aldermoor", "Skelbrook"}, "Aldermoor Police"},
	{"East Midlands", 8, []string{"Brackenfield", "Sowerby Cross", "Trentholme"}, "Trent Valley Constabulary"},
	{"West Midlands", 11, []string{"Harrowdale", "Brindlebury", "Stavenhall"}, "Brindlebury Police"},
	{"East of England", 9, []string{"Fenmarket", "Wexbridge", "Haverleigh"}, "Fenland Shires Constabulary"},
	{"London", 15, []string{"Kingsmere", "Eastwark", "Hollowfield"}, "Kingsmere Metropolitan Police"},
	{"South East", 13, []string{"Chalkbourne", "Medhurst", "Sandlow"}, "Chalk Downs Police"},
	{"South West", 7, []string{"Tamarton", "Westcombe", "Brixmouth"}, "Tamar and Combe Constabulary"},
	{"Wales", 7, []string{"Aberllyn", "Caerwen", "Pontfawr"}, "Caerwen Valley Police"},
}

// orgSpec is an organisation to create.
type orgSpec struct {
	key  string // how the loader refers to it
	name string
	kind contest.OrgKind
	area string
}

// The organisations the demo users belong to, by key.
const (
	homeCTP      = "ctp:North West"
	homeLondon   = "ctp:London"
	homeSecurity = "security"
	homeLA       = "la:Ashbridge"
	homePolice   = "police:North West"
	homeBusiness = "business:harbourside"
)

// homeRegion is the region of the demo's police and panel users.
const homeRegion = "North West"

func laName(r region, area string) string {
	switch {
	case r.name == "Wales":
		return area + " County Borough Council"
	case r.name == "London":
		return "London Borough of " + area
	case len(area)%3 == 0:
		return area + " City Council"
	case len(area)%3 == 1:
		return area + " Borough Council"
	}
	return area + " Council"
}

// orgSpecs lists every organisation, at least one of every kind.
func orgSpecs() []orgSpec {
	var out []orgSpec
	for _, r := range regions {
		out = append(out, orgSpec{"ctp:" + r.name, "Counter-Terrorism Policing " + r.name, contest.OrgCTP, r.name})
	}
	for _, r := range regions {
		out = append(out, orgSpec{"police:" + r.name, r.police, contest.OrgPolice, r.name})
	}
	out = append(out, orgSpec{homeSecurity, "Crown Security Service", contest.OrgSecurityService, ""})
	for _, r := range regions {
		for _, a := range r.areas {
			out = append(out, orgSpec{"la:" + a, laName(r, a), contest.OrgLocalAuthority, a})
		}
	}
	out = append(out,
		orgSpec{"health:ashbridge", "Ashbridge and Kelmsford NHS Trust", contest.OrgHealth, "Ashbridge"},
		orgSpec{"health:kingsmere", "Kingsmere Mental Health NHS Trust", contest.OrgHealth, "Kingsmere"},
		orgSpec{"health:thornwick", "Thornwick Teaching Hospitals NHS Trust", contest.OrgHealth, "Thornwick"},
		orgSpec{"health:tamarton", "Tamarton Community Health NHS Trust", contest.OrgHealth, "Tamarton"},
		orgSpec{"health:aberllyn", "Aberllyn University Health Board", contest.OrgHealth, "Aberllyn"},
		orgSpec{"edu:ashbridge", "Ashbridge Academy", contest.OrgEducation, "Ashbridge"},
		orgSpec{"edu:kelmsford", "Kelmsford Sixth Form College", contest.OrgEducation, "Kelmsford"},
		orgSpec{"edu:harrowdale", "Harrowdale High School", contest.OrgEducation, "Harrowdale"},
		orgSpec{"edu:eastwark", "Eastwark College", contest.OrgEducation, "Eastwark"},
		orgSpec{"edu:chalkbourne", "Chalkbourne Grammar School", contest.OrgEducation, "Chalkbourne"},
		orgSpec{"edu:thornwick", "University of Thornwick", contest.OrgEducation, "Thornwick"},
		orgSpec{"prison:ravensholm", "HMP Ravensholm", contest.OrgPrisonProbation, "Ravensholm"},
		orgSpec{"prison:brindlebury", "HMP Brindlebury", contest.OrgPrisonProbation, "Brindlebury"},
		orgSpec{"probation:nw", "Probation Service North West", contest.OrgPrisonProbation, "North West"},
		orgSpec{"platform:chatterbox", "Chatterbox Social", contest.OrgOnlinePlatform, ""},
		orgSpec{"platform:streamly", "Streamly Video", contest.OrgOnlinePlatform, ""},
		orgSpec{"platform:pinwheel", "Pinwheel Forums", contest.OrgOnlinePlatform, ""},
		orgSpec{"platform:kettle", "Kettle Messaging", contest.OrgOnlinePlatform, ""},
		orgSpec{homeBusiness, "Harbourside Shopping Centre", contest.OrgBusiness, "Ashbridge"},
		orgSpec{"business:northgate", "Northgate Arena", contest.OrgBusiness, "Kingsmere"},
		orgSpec{"business:meridian", "Meridian Rail Stations", contest.OrgBusiness, "London"},
		orgSpec{"business:brightwater", "Brightwater Events", contest.OrgBusiness, "Chalkbourne"},
		orgSpec{"business:kingsmere-hotels", "Kingsmere Hotels Group", contest.OrgBusiness, "Kingsmere"},
		orgSpec{"lead:retail", "Retail Sector Lead", contest.OrgSectorLead, ""},
		orgSpec{"lead:nte", "Night-Time Economy Sector Lead", contest.OrgSectorLead, ""},
		orgSpec{"lead:stadiums", "Stadiums and Arenas Sector Lead", contest.OrgSectorLead, ""},
		orgSpec{"lead:transport", "Transport Hubs Sector Lead", contest.OrgSectorLead, ""},
	)
	return out
}

// userSpec is where a demo user of a role works and what vetting they hold.
type userSpec struct {
	org     string
	vetting contest.Vetting
}

// demoUsers gives every role its organisation and vetting. Those with SC or
// DV vetting, and the administrator, need a second factor.
var demoUsers = map[contest.Role]userSpec{
	contest.RoleInvestigator:   {homeCTP, contest.SC},
	contest.RoleAnalyst:        {homeSecurity, contest.DV},
	contest.RoleSupervisor:     {homeCTP, contest.SC},
	contest.RolePreventOfficer: {homeCTP, contest.CTC},
	contest.RolePanelMember:    {homeLA, contest.CTC},
	contest.RoleContentOfficer: {homeLondon, contest.SC},
	contest.RoleSecurityAdv:    {homeCTP, contest.CTC},
	contest.RolePartner:        {homeBusiness, contest.BPSS},
	contest.RoleCasualtyBureau: {homePolice, contest.CTC},
	contest.RoleAuditor:        {homeCTP, contest.CTC},
	contest.RoleAdmin:          {homeCTP, contest.SC},
}
