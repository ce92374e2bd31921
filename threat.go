package contest

import (
	"strings"
	"time"
)

// ThreatLevel is the UK national threat level from international and
// Northern Ireland-related terrorism in Great Britain.
type ThreatLevel int

// The five levels, in ascending order.
const (
	ThreatLow ThreatLevel = iota + 1
	ThreatModerate
	ThreatSubstantial
	ThreatSevere
	ThreatCritical
)

// ThreatLevels lists the levels in ascending order.
var ThreatLevels = []ThreatLevel{ThreatLow, ThreatModerate, ThreatSubstantial, ThreatSevere, ThreatCritical}

func (t ThreatLevel) String() string {
	switch t {
	case ThreatLow:
		return "LOW"
	case ThreatModerate:
		return "MODERATE"
	case ThreatSubstantial:
		return "SUBSTANTIAL"
	case ThreatSevere:
		return "SEVERE"
	case ThreatCritical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// Meaning is the official meaning of the level.
func (t ThreatLevel) Meaning() string {
	switch t {
	case ThreatLow:
		return "An attack is highly unlikely"
	case ThreatModerate:
		return "An attack is possible but not likely"
	case ThreatSubstantial:
		return "An attack is likely"
	case ThreatSevere:
		return "An attack is highly likely"
	case ThreatCritical:
		return "An attack is highly likely in the near future"
	}
	return ""
}

// Valid reports whether t is one of the five levels.
func (t ThreatLevel) Valid() bool { return t >= ThreatLow && t <= ThreatCritical }

// ParseThreatLevel reads a level by name.
func ParseThreatLevel(s string) (ThreatLevel, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	for _, t := range ThreatLevels {
		if t.String() == n {
			return t, nil
		}
	}
	return 0, Errorf(EINVALID, "Threat level must be LOW, MODERATE, SUBSTANTIAL, SEVERE or CRITICAL")
}

// ThreatChange is one entry in the history of the national threat level.
type ThreatChange struct {
	ID        int64       `json:"id"`
	Level     ThreatLevel `json:"-"`
	LevelName string      `json:"level"`
	Meaning   string      `json:"meaning"`
	Rationale string      `json:"rationale"`
	ChangedBy int64       `json:"changed_by"`
	ChangedAt time.Time   `json:"changed_at"`
}
