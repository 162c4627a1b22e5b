package notify

// SetProfile replaces the callees' behaviour for calls and messages placed
// from now on; calls already placed keep theirs. A sandbox scripts its
// simulated phones with it (a demonstration makes a drawn expert decline).
// It returns Profile.Validate's error and changes nothing then.
func (s *Simulator) SetProfile(p Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Profile = p
	return nil
}
