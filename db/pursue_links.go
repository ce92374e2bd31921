package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// visibleLinks are the links a may see with an end in frontier.
func (d *DB) visibleLinks(ctx context.Context, a *contest.Actor, frontier []int64) ([]*contest.Link, error) {
	if len(frontier) == 0 {
		return nil, nil
	}
	where, args := access.FilterFew(a, access.Read, contest.KindLink, "t", 1)
	in := inList(frontier)
	rows, err := d.read.QueryContext(ctx, `SELECT t.id, t.from_entity, t.to_entity, t.type, t.source, t.source_grade, t.intel_grade, t.handling
		FROM pole_links t WHERE `+where+" AND (t.from_entity IN ("+in+") OR t.to_entity IN ("+in+")) ORDER BY t.id LIMIT 20000", args...)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	defer rows.Close()
	var out []*contest.Link
	for rows.Next() {
		var l contest.Link
		if err := rows.Scan(&l.ID, &l.From, &l.To, &l.Type, &l.Source, &l.SourceGrade, &l.IntelGrade, &l.Handling); err != nil {
			return nil, err
		}
		out = append(out, &l)
	}
	return out, rows.Err()
}

// visibleEntity answers not found, audited, unless a may see the entity.
func (d *DB) visibleEntity(ctx context.Context, a *contest.Actor, id int64) error {
	e, err := scanEntity(d.read.QueryRowContext(ctx, "SELECT "+entityCols+", "+prefixed("t", metaCols)+" FROM pole_entities t WHERE t.id = $1", id))
	if err == nil {
		if err = loadCompartments(ctx, d.read, contest.KindEntity, map[int64]*contest.Meta{id: &e.Meta}); err != nil {
			return err
		}
		if access.Allowed(a, access.Read, contest.KindEntity, &e.Meta) {
			return nil
		}
	}
	return d.denied(ctx, a, contest.AuditRead, contest.KindEntity, itoa(id), "hidden or missing", contest.NotFound(contest.KindEntity))
}

// Neighbourhood implements contest.LinkAnalysis.
func (d *DB) Neighbourhood(ctx context.Context, a *contest.Actor, entityID int64, steps int) (*contest.Network, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindLink, ""); err != nil {
		return nil, err
	}
	if steps < 1 || steps > 3 {
		return nil, fieldErr("steps", "Steps must be 1, 2 or 3")
	}
	if err := d.visibleEntity(ctx, a, entityID); err != nil {
		return nil, err
	}
	seen := map[int64]bool{entityID: true}
	seenLink := map[int64]bool{}
	net := &contest.Network{Entities: []int64{entityID}}
	frontier := []int64{entityID}
	for range steps {
		ls, err := d.visibleLinks(ctx, a, frontier)
		if err != nil {
			return nil, err
		}
		frontier = nil
		for _, l := range ls {
			if !seenLink[l.ID] {
				seenLink[l.ID] = true
				net.Links = append(net.Links, l)
			}
			for _, x := range []int64{l.From, l.To} {
				if !seen[x] {
					seen[x] = true
					frontier = append(frontier, x)
					net.Entities = append(net.Entities, x)
				}
			}
		}
	}
	return net, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindLink,
		Detail: map[string]string{"neighbourhood_of": itoa(entityID), "steps": strconv.Itoa(steps), "results": strconv.Itoa(len(net.Links))}})
}

// ShortestConnection implements contest.LinkAnalysis: a breadth-first
// search over visible links, one query per step.
func (d *DB) ShortestConnection(ctx context.Context, a *contest.Actor, from, to int64) ([]int64, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindLink, ""); err != nil {
		return nil, err
	}
	for _, id := range []int64{from, to} {
		if err := d.visibleEntity(ctx, a, id); err != nil {
			return nil, err
		}
	}
	prev := map[int64]int64{from: 0}
	frontier := []int64{from}
	var path []int64
	for step := 0; step < 6 && len(frontier) > 0 && path == nil && from != to; step++ {
		ls, err := d.visibleLinks(ctx, a, frontier)
		if err != nil {
			return nil, err
		}
		inFrontier := map[int64]bool{}
		for _, f := range frontier {
			inFrontier[f] = true
		}
		frontier = nil
		for _, l := range ls {
			for _, pair := range [][2]int64{{l.From, l.To}, {l.To, l.From}} {
				if _, ok := prev[pair[1]]; inFrontier[pair[0]] && !ok {
					prev[pair[1]] = pair[0]
					frontier = append(frontier, pair[1])
				}
			}
		}
		if _, ok := prev[to]; ok {
			for x := to; x != from; x = prev[x] {
				path = append(path, x)
			}
			path = append(path, from)
			slices.Reverse(path)
		}
	}
	if from == to {
		path = []int64{from}
	}
	return path, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindLink,
		Detail: map[string]string{"shortest_from": itoa(from), "shortest_to": itoa(to), "length": strconv.Itoa(max(len(path)-1, 0))}})
}

// CommonAssociates implements contest.LinkAnalysis.
func (d *DB) CommonAssociates(ctx context.Context, a *contest.Actor, ids []int64) ([]int64, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindLink, ""); err != nil {
		return nil, err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) < 2 {
		return nil, fieldErr("ids", "Select two or more entities")
	}
	for _, id := range ids {
		if err := d.visibleEntity(ctx, a, id); err != nil {
			return nil, err
		}
	}
	ls, err := d.visibleLinks(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	linkedTo := map[int64]map[int64]bool{} // associate -> which of ids
	for _, l := range ls {
		for _, pair := range [][2]int64{{l.From, l.To}, {l.To, l.From}} {
			if slices.Contains(ids, pair[0]) && !slices.Contains(ids, pair[1]) {
				if linkedTo[pair[1]] == nil {
					linkedTo[pair[1]] = map[int64]bool{}
				}
				linkedTo[pair[1]][pair[0]] = true
			}
		}
	}
	var out []int64
	for x, of := range linkedTo {
		if len(of) == len(ids) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindLink,
		Detail: map[string]string{"common_associates_of": inList(ids), "results": strconv.Itoa(len(out))}})
}

var _ contest.LinkAnalysis = (*DB)(nil)
