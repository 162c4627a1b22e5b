package bidding

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// BidHeader returns the envelope header of one of the actor organisation's
// stored bids (anyone else's is apperr.NotFound). Nothing in a header is
// secret: its data key is wrapped to the recipients' keys. A bidder who
// sealed in the browser has no envelope file to read it from, as the CLI
// does at the opening; the browser unwraps the data key from this copy and
// checks it against the key commitment before handing it over.
func (s *Service) BidHeader(ctx context.Context, actor accounts.Principal, id int64) ([]byte, error) {
	bid, err := s.GetBid(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	blobs, err := s.blobs()
	if err != nil {
		return nil, err
	}
	rc, err := blobs.Open(ctx, bid.BlobKey, 0, min(bid.Size, notary.MaxHeaderSize+64))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h, err := notary.ParseHeader(rc)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "存储的投标文件头部无法读取", "the stored bid's header cannot be read")
	}
	return h.Raw, nil
}

// OpenedBidFingerprint returns the machine fingerprint (hex SM3, empty
// when the sealer recorded none) from the envelope header of a bid
// decrypted at its opening, for supervision's comparison across bidders.
// Errors: apperr.NotFound (no such decrypted bid), apperr.Internal for a
// header that cannot be read, and those of the blob store.
func (s *Service) OpenedBidFingerprint(ctx context.Context, bidID int64) (string, error) {
	var ob OpenedBid
	if err := s.db.Conn(ctx).Where("bid_id = ? AND status = ?", bidID, OpeningDecrypted).First(&ob).Error; err != nil {
		return "", storage.Translate(err)
	}
	var bid Bid
	if err := s.db.Conn(ctx).Where("id = ?", bidID).First(&bid).Error; err != nil {
		return "", storage.Translate(err)
	}
	blobs, err := s.blobs()
	if err != nil {
		return "", err
	}
	rc, err := blobs.Open(ctx, bid.BlobKey, 0, min(bid.Size, notary.MaxHeaderSize+64))
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h, err := notary.ParseHeader(rc)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "存储的投标文件头部无法读取", "the stored bid's header cannot be read")
	}
	if h.Meta.Fingerprint == (notary.Digest{}) {
		return "", nil
	}
	return h.Meta.Fingerprint.String(), nil
}
