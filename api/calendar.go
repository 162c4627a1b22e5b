package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// CalendarDay is one day the working-day calendar lists: a holiday, or an
// adjusted working weekend day (调休).
type CalendarDay struct {
	Date string `json:"date" required:"true"` // YYYY-MM-DD, Asia/Shanghai
	Kind string `json:"kind" required:"true"` // "holiday" or "workday"
	Name string `json:"name,omitempty"`       // e.g. "国庆节"
}

// CalendarYear is a year of the calendar. Days not listed follow the weekend
// rule: Saturday and Sunday off, other days working.
type CalendarYear struct {
	Year int           `json:"year"`
	Days []CalendarDay `json:"days"`
}

// CalendarRequest replaces a year of the calendar; an empty list clears it.
type CalendarRequest struct {
	Days []CalendarDay `json:"days" required:"true"`
}

// calendarService returns the calendar, or apperr.Unavailable when the
// server was built without one.
func (s *Server) calendarService() (*calendar.Service, error) {
	if s.deps.Calendar == nil {
		return nil, apperr.New(apperr.Unavailable, "节假日日历未启用", "the working-day calendar is not configured").WithCode("no_calendar")
	}
	return s.deps.Calendar, nil
}

// pathYear reads the :year parameter; the service checks its range.
func pathYear(c *gin.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "路径参数 year 应为四位年份", "path parameter year must be a four-digit year").WithField("year", "not a year")
	}
	return y, nil
}

func (s *Server) getCalendarYear(c *gin.Context) error {
	cal, err := s.calendarService()
	if err != nil {
		return err
	}
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	return s.serveCalendarYear(c, cal, year)
}

// putCalendarYear replaces a year (admin only; the service checks it too).
func (s *Server) putCalendarYear(c *gin.Context) error {
	cal, err := s.calendarService()
	if err != nil {
		return err
	}
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	var req CalendarRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Days == nil {
		return apperr.New(apperr.Invalid, "缺少必填字段 days（清空请传空数组）", "field days is required (send [] to clear the year)").WithField("days", "required")
	}
	entries := make([]clock.DayEntry, len(req.Days))
	for i, d := range req.Days {
		entries[i] = clock.DayEntry{Date: d.Date, Kind: clock.DayKind(d.Kind), Name: d.Name}
	}
	if err := cal.SetYear(c.Request.Context(), caller(c), year, entries); err != nil {
		return err
	}
	return s.serveCalendarYear(c, cal, year)
}

func (s *Server) serveCalendarYear(c *gin.Context, cal *calendar.Service, year int) error {
	entries, err := cal.Year(c.Request.Context(), year)
	if err != nil {
		return err
	}
	out := CalendarYear{Year: year, Days: make([]CalendarDay, len(entries))}
	for i, e := range entries {
		out.Days[i] = CalendarDay{Date: e.Date, Kind: string(e.Kind), Name: e.Name}
	}
	return ok(c, out)
}
