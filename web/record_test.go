package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

// TestPaginate checks the pagination of strand lists: previous and next,
// the page numbers around the current one with ellipses, the other query
// parameters kept, and a page past the end pointing back to the last.
func TestPaginate(t *testing.T) {
	u, _ := url.Parse("/subjects?status=active&page=3")
	for _, tc := range []struct {
		name                 string
		offset, total, shown int
		prev, next           string
		numbers              []int // 0 is an ellipsis
		from, to             int
	}{
		{"OnePage", 0, 10, 10, "", "", nil, 1, 10},
		{"Empty", 0, 0, 0, "", "", nil, 0, 0},
		{"First", 0, 100, 25, "", "/subjects?page=2&status=active", []int{1, 2, 0, 4}, 1, 25},
		{"Middle", 50, 250, 25, "/subjects?page=2&status=active", "/subjects?page=4&status=active", []int{1, 2, 3, 4, 0, 10}, 51, 75},
		{"Last", 225, 250, 25, "/subjects?page=9&status=active", "", []int{1, 0, 9, 10}, 226, 250},
		{"PastTheEnd", 500, 30, 0, "/subjects?page=2&status=active", "", []int{1, 2}, 0, 0},
		{"SecondToFirst", 25, 30, 5, "/subjects?status=active", "", []int{1, 2}, 26, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := paginate(u, tc.offset, casePageSize, tc.total, tc.shown)
			var nums []int
			for _, it := range p.Items {
				nums = append(nums, it.Number)
			}
			if p.Prev != tc.prev || p.Next != tc.next || !reflect.DeepEqual(nums, tc.numbers) || p.From != tc.from || p.To != tc.to {
				t.Errorf("got prev %q next %q pages %v from %d to %d; want %q %q %v %d %d",
					p.Prev, p.Next, nums, p.From, p.To, tc.prev, tc.next, tc.numbers, tc.from, tc.to)
			}
		})
	}
}

// TestParseCaseFilter checks the strand list filters, and that bad input
// is refused with a message, never a crash or a silent default.
func TestParseCaseFilter(t *testing.T) {
	a := &contest.Actor{UserID: 7}
	for _, tc := range []struct {
		name  string
		query string
		kind  contest.Kind
		api   bool
		want  contest.CaseFilter
		err   string // the message expected, "" for none
	}{
		{"Empty", "", contest.KindInvestigation, false, contest.CaseFilter{Limit: 25}, ""},
		{"StatusOwnerPage", "status=closed&owner=me&page=3", contest.KindInvestigation, false, contest.CaseFilter{Status: "closed", OwnerUserID: 7, Offset: 50, Limit: 25}, ""},
		{"Stage", "status=panel", contest.KindPreventCase, false, contest.CaseFilter{Status: "panel", Limit: 25}, ""},
		{"SubjectsOfInvestigation", "investigation_id=12", contest.KindSubject, false, contest.CaseFilter{InvestigationID: 12, Limit: 25}, ""},
		{"APIPaging", "limit=10&offset=20", contest.KindSubject, true, contest.CaseFilter{Limit: 10, Offset: 20}, ""},
		{"APIIgnoresPage", "page=4", contest.KindSubject, true, contest.CaseFilter{Limit: 50}, ""},
		{"StatusOfAnotherKind", "status=panel", contest.KindInvestigation, false, contest.CaseFilter{}, "Select a status from the list"},
		{"BadStage", "status=open", contest.KindPreventCase, false, contest.CaseFilter{}, "Select a stage from the list"},
		{"OwnerNotMe", "owner=12", contest.KindSubject, false, contest.CaseFilter{}, "Owner must be me, or left out"},
		{"PageZero", "page=0", contest.KindSubject, false, contest.CaseFilter{}, "Page must be a whole number, 1 or more."},
		{"PageHuge", "page=99999999999999999999", contest.KindSubject, false, contest.CaseFilter{}, "Page must be a whole number, 1 or more."},
		{"InvestigationOnInvestigations", "investigation_id=3", contest.KindInvestigation, true, contest.CaseFilter{}, "Investigation must be the number of an investigation"},
		{"NegativeInvestigation", "investigation_id=-3", contest.KindSubject, false, contest.CaseFilter{}, "Investigation must be the number of an investigation."},
		{"APILimitTooBig", "limit=501", contest.KindSubject, true, contest.CaseFilter{}, "Limit must be a whole number from 1 to 500"},
		{"APINegativeOffset", "offset=-1", contest.KindSubject, true, contest.CaseFilter{}, "Offset must be a whole number, 0 or more"},
		{"ControlCharacter", "status=%01", contest.KindSubject, false, contest.CaseFilter{}, "Enter text without control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseCaseFilter(q, tc.kind, a, tc.api)
			if tc.err == "" {
				if err != nil || f != tc.want {
					t.Errorf("got %+v, %v; want %+v", f, err, tc.want)
				}
				return
			}
			msg := contest.ErrorMessage(err)
			for _, fe := range contest.ErrorFields(err) {
				msg += " " + fe.Message
			}
			if contest.ErrorCode(err) != contest.EINVALID || !strings.Contains(msg, tc.err) {
				t.Errorf("error %v (%q), want invalid with %q", err, msg, tc.err)
			}
		})
	}
}
