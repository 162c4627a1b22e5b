package bidding

import (
	"context"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// A bid is in time when its finalize arrived before the deadline, however
// long the platform then takes to verify and commit it. The close at the
// deadline therefore waits (CloseIfDue): first ArrivalGrace, for
// finalizes that arrived before the deadline to register as in flight
// (registerArrival, the first thing a finalize writes), then for the
// registered ones to finish, at most MaxFinalizeWait after the deadline.
const (
	// ArrivalGrace bounds the time from a finalize's arrival to its
	// registration: sign-in and two reads on a database that may be
	// saturated in the last seconds before a deadline.
	ArrivalGrace = 10 * time.Second
	// MaxFinalizeWait bounds how long after the deadline the close waits
	// for registered finalizes to commit. One still running then is
	// refused as finalize_overran and logged; the bidder can complain.
	MaxFinalizeWait = 2 * time.Minute
)

// registerArrival marks u as being finalized by a request that arrived at
// arrival: under the section row's lock, so that it serialises with the
// close, it checks the arrival against the deadline and sets the upload
// finalizing (it takes no more bytes) with its arrival. A late arrival
// closes the upload and returns the refusal. Errors: apperr.TooLate
// (deadline_passed), apperr.Unavailable (finalize_overran), apperr.Conflict
// (upload_busy), those of storage.
func (s *Service) registerArrival(ctx context.Context, blobs storage.Blobs, u *Upload, arrival time.Time) error {
	var refusal error
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, u.SectionID, true)
		if err != nil {
			return err
		}
		if !sec.AcceptsBidsAt(arrival) {
			refusal = s.lateFinalize(ctx, sec, *u, arrival, s.now())
			return s.setStatusIn(ctx, u.ID, u.Status, UploadLate)
		}
		if err := s.setStatusIn(ctx, u.ID, u.Status, UploadFinalizing); err != nil {
			return err
		}
		u.Status, u.ArrivedAt = UploadFinalizing, &arrival
		return storage.Translate(s.db.Conn(ctx).Model(&Upload{}).Where("id = ?", u.ID).Update("arrived_at", arrival).Error)
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		bg := context.WithoutCancel(ctx)
		_ = blobs.Delete(bg, bidKey(*u))
		s.dropParts(bg, blobs, *u)
	}
	return refusal
}

// setStatusIn moves an upload from one status to another in ctx's
// transaction; apperr.Conflict (upload_busy) when it is not in from.
func (s *Service) setStatusIn(ctx context.Context, id string, from, to UploadStatus) error {
	res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ?", id, from).
		Updates(map[string]any{"status": to, "updated_at": s.now()})
	if res.Error != nil {
		return storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return errUploadBusy()
	}
	return nil
}

// unregister hands a finalize that failed before its commit back: the
// upload is open again and no longer holds up the close.
func (s *Service) unregister(ctx context.Context, u Upload) {
	_ = s.db.InTx(ctx, func(ctx context.Context) error {
		return storage.Translate(s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ?", u.ID, UploadFinalizing).
			Updates(map[string]any{"status": UploadOpen, "arrived_at": nil, "updated_at": s.now()}).Error)
	})
}

// lateFinalize is the refusal of a finalize that arrived at arrival on a
// section that does not accept it: deadline_passed when it arrived at or
// after the deadline; finalize_overran when it arrived in time but the
// section closed before it could be completed (the close's wait ran out),
// which is the platform's failure and is logged as such in ctx's
// transaction.
func (s *Service) lateFinalize(ctx context.Context, sec Section, u Upload, arrival, now time.Time) error {
	overran := sec.Deadline != nil && arrival.Before(*sec.Deadline) &&
		sec.State != StateAnnounced && sec.State != StateDraft && sec.State != StateCancelled
	if !overran {
		return lateArrival(sec, arrival)
	}
	_, err := s.events.Append(ctx, eventlog.Entry{Type: "bid.finalize_overran", Subject: sectionRef(sec.ID),
		Actor: "user:" + strconv.FormatInt(u.UserID, 10), Payload: map[string]any{"uploadId": u.ID, "bidderOrgId": u.BidderOrgID,
			"arrivedAt": arrival, "refusedAt": now, "deadline": sec.Deadline}})
	if err != nil {
		return err
	}
	return apperr.Newf(apperr.Unavailable, "该投标于截止前 %s 到达，但平台未能在截标等待时限（%s）内完成处理，投标未被接受。请立即联系交易中心并保留本信息",
		"this bid arrived in time at %s, but the platform could not complete it within the close's wait (%s): it was not accepted. "+
			"Contact the trading centre at once and keep this message",
		arrival.UTC().Format(time.RFC3339Nano), MaxFinalizeWait).WithCode("finalize_overran")
}

// lateArrival is the refusal of a finalize that arrived at or after the
// deadline, or on a section that takes no bids.
func lateArrival(sec Section, arrival time.Time) error {
	if sec.State != StateAnnounced || sec.Deadline == nil {
		return deadlinePassed(sec, arrival)
	}
	return apperr.Newf(apperr.TooLate, "投标截止时间 %s 已过（提交请求到达服务器的时间 %s）",
		"the bid deadline %s has passed (the finalize reached the server at %s)",
		sec.Deadline.UTC().Format(time.RFC3339Nano), arrival.UTC().Format(time.RFC3339Nano)).WithCode("deadline_passed")
}

func isOverran(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == "finalize_overran"
}

// supersede makes room for a bid of u's organisation that arrived at
// arrival, in ctx's transaction: the current bid is superseded, unless it
// arrived later, in which case the new bid is the superseded one. It
// returns the new bid's status.
func (s *Service) supersede(ctx context.Context, u Upload, arrival time.Time) (BidStatus, error) {
	var later int64
	q := s.db.Conn(ctx).Model(&Bid{}).Where("section_id = ? AND bidder_org_id = ? AND status = ?", u.SectionID, u.BidderOrgID, BidCurrent)
	if err := q.Where("received_at > ?", arrival).Count(&later).Error; err != nil {
		return "", storage.Translate(err)
	}
	if later > 0 {
		return BidSuperseded, nil
	}
	err := s.db.Conn(ctx).Model(&Bid{}).Where("section_id = ? AND bidder_org_id = ? AND status = ?", u.SectionID, u.BidderOrgID, BidCurrent).
		Update("status", BidSuperseded).Error
	return BidCurrent, storage.Translate(err)
}
