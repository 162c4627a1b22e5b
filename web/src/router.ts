import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session } from './session'
import { loadSession } from './auth'

// History-mode routes; the server answers any non-API path with index.html.
// Pages are loaded on demand, so the public portal does not fetch the
// bidder's or the agent's code. meta.role: a page for signed-in users of
// that role (others are sent to sign in).
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'portal', component: () => import('./pages/portal/AnnouncementList.vue') },
  { path: '/announcements/:id', name: 'announcement', component: () => import('./pages/portal/AnnouncementDetail.vue'), props: true },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue') },
  { path: '/bidder', name: 'bidder', component: () => import('./pages/bidder/BidderWorkspace.vue'), meta: { role: 'bidder' } },
  { path: '/bidder/sections/:id', name: 'bidder-section', component: () => import('./pages/bidder/SectionBid.vue'), props: true, meta: { role: 'bidder' } },
  { path: '/room/:id', name: 'room', component: () => import('./pages/room/OpeningRoom.vue'), props: true, meta: { role: 'any' } },
  { path: '/agent', name: 'agent', component: () => import('./pages/agent/AgentProjects.vue'), meta: { role: 'agent' } },
  { path: '/agent/projects/:id', name: 'agent-project', component: () => import('./pages/agent/AgentProject.vue'), props: true, meta: { role: 'agent' } },
  { path: '/agent/sections/:id', name: 'agent-section', component: () => import('./pages/agent/AgentSection.vue'), props: true, meta: { role: 'agent' } },
  { path: '/expert', name: 'expert', component: () => import('./pages/expert/ExpertHome.vue'), meta: { role: 'expert' } },
  { path: '/expert/evaluations/:id', name: 'evaluation', component: () => import('./pages/expert/EvaluationRoom.vue'), props: true, meta: { role: 'expert' } },
  { path: '/supervisor', name: 'supervisor', component: () => import('./pages/supervisor/SupervisorProjects.vue'), meta: { role: 'supervisor' } },
  { path: '/supervisor/sections/:id', name: 'supervisor-section', component: () => import('./pages/supervisor/SupervisorSection.vue'), props: true, meta: { role: 'supervisor' } },
  { path: '/monitor', name: 'monitor', component: () => import('./pages/supervisor/LightsBoard.vue'), meta: { role: 'supervisor' } },
  { path: '/monitor/efficiency', name: 'monitor-efficiency', component: () => import('./pages/supervisor/EfficiencyIndex.vue'), meta: { role: 'supervisor' } },
  { path: '/monitor/warnings', name: 'monitor-warnings', component: () => import('./pages/supervisor/WarningInbox.vue'), meta: { role: 'supervisor' } },
  { path: '/monitor/complaints', name: 'monitor-complaints', component: () => import('./pages/supervisor/ComplaintDesk.vue'), meta: { role: 'supervisor' } },
  { path: '/monitor/:kind(case|section|complaint)/:id', name: 'trajectory', component: () => import('./pages/supervisor/SubjectTrajectory.vue'), props: true, meta: { role: 'supervisor' } },
  { path: '/warnings', name: 'office-warnings', component: () => import('./pages/supervisor/OfficeWarnings.vue'), meta: { role: 'any' } },
  { path: '/guides', name: 'guides', component: () => import('./pages/approval/GuideList.vue') },
  { path: '/guides/:code', name: 'guide', component: () => import('./pages/approval/GuideDetail.vue'), props: true },
  { path: '/verify/certificates/:no', name: 'verify-certificate', component: () => import('./pages/approval/CertificateVerify.vue'), props: true },
  { path: '/applicant', name: 'applicant', component: () => import('./pages/approval/ApplicantCases.vue'), meta: { role: 'applicant' } },
  { path: '/applicant/cases/:id', name: 'applicant-case', component: () => import('./pages/approval/CasePage.vue'), props: (r) => ({ id: r.params.id, as: 'applicant' }), meta: { role: 'applicant' } },
  { path: '/officer', name: 'officer', component: () => import('./pages/approval/OfficerQueue.vue'), meta: { role: 'officer' } },
  { path: '/officer/cases/:id', name: 'officer-case', component: () => import('./pages/approval/CasePage.vue'), props: (r) => ({ id: r.params.id, as: 'officer' }), meta: { role: 'officer' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue') },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const role = to.meta.role as string | undefined
  if (!role) return true
  if (!session.loaded) await loadSession()
  if (!session.me) return { name: 'login', query: { next: to.fullPath } }
  if (role !== 'any' && !session.has(role) && !session.has('admin')) return { name: 'portal' }
  return true
})
