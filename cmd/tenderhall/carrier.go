package main

import (
	"context"
	"encoding/hex"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/config"
	"github.com/tenderhall/tenderhall/internal/notify"
)

// carrier is the phone and SMS gateway of the call campaign. Only the
// simulated carrier exists so far (notify.carrier = simulator): a stand-in
// for the operator outside the machine, whose callees behave as
// notify.simulator.profile says.
type carrier struct {
	key     *notify.CallbackKey
	profile notify.Profile
	sim     *notify.Simulator
}

// DemoSimulatorProfile is the simulated callees' behaviour on a sandbox
// serving demo data when notify.simulator.profile is not set.
const DemoSimulatorProfile = "accept=1,ring=2s"

// openCarrier checks the notify settings and gives the expert service the
// key that carrier callbacks must be signed with; every replica serving
// the callback route needs it. On the embedded default the secret is
// derived from the field key.
func (a *app) openCarrier() error {
	secret := []byte(a.cfg.NotifyCallbackSecret)
	if len(secret) == 0 {
		secret = []byte(hex.EncodeToString(a.derive("notify-callback")))
	}
	key, err := notify.NewCallbackKey(secret, 0)
	if err != nil {
		return &config.Error{Key: "notify.callback_secret", Msg: err.Error()}
	}
	spec := a.cfg.NotifySimulatorProfile
	if spec == "" && a.cfg.Sandbox && a.cfg.Demo {
		// A demonstration's committee must fill: every simulated expert
		// answers and accepts unless the administrator scripts otherwise.
		spec = DemoSimulatorProfile
	}
	profile, err := notify.ParseProfile(spec)
	if err != nil {
		return &config.Error{Key: "notify.simulator.profile", Msg: err.Error()}
	}
	a.carrier = &carrier{key: key, profile: profile}
	a.experts.SetGateways(nil, nil, key)
	return nil
}

// startCarrier connects the campaign's calls to the simulated carrier, in
// the process that runs jobs. Its callbacks go to notify.callback_url, as
// a real carrier's would, or straight to the expert service when none is
// set.
func (a *app) startCarrier() error {
	deliver := notify.Direct(a.carrier.key, a.clock, a.experts.HandleCallEvent)
	if u := a.cfg.NotifyCallbackURL; u != "" {
		var err error
		if deliver, err = notify.HTTPDelivery(nil, u); err != nil {
			return &config.Error{Key: "notify.callback_url", Msg: err.Error()}
		}
	}
	sim, err := notify.NewSimulator(context.Background(), notify.SimOptions{Profile: a.carrier.profile, Key: a.carrier.key,
		Deliver: deliver, Clock: a.clock, Logger: a.log})
	if err != nil {
		return err
	}
	a.carrier.sim = sim
	a.experts.SetGateways(sim, sim, a.carrier.key)
	a.log.Info("phone and SMS go to the simulated carrier (notify.carrier=simulator): no real call or message is placed")
	return nil
}

// setCarrierProfile scripts the running simulated carrier's callees.
// Errors: apperr.Invalid for a bad profile;
// apperr.Unavailable before the carrier started (it starts with the jobs).
func (a *app) setCarrierProfile(profile string) error {
	p, err := notify.ParseProfile(profile)
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "模拟运营商配置无效："+err.Error(), "invalid simulator profile: "+err.Error()).WithField("profile", err.Error())
	}
	if a.carrier == nil || a.carrier.sim == nil {
		return apperr.New(apperr.Unavailable, "模拟运营商尚未启动", "the simulated carrier has not started yet")
	}
	return a.carrier.sim.SetProfile(p)
}
