-- Studies: participants with their condition and consent, append-only feedback and telemetry,
-- researcher sessions; chats belong to a participation, assistant replies record their condition.

-- CreateTable
CREATE TABLE "Participant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "studyId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "condition" TEXT,
    "prolificPid" TEXT,
    "externalStudyId" TEXT,
    "externalSessionId" TEXT,
    "enrolledAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consentStatus" TEXT NOT NULL,
    "consentAt" DATETIME,
    "consentTextSha256" TEXT,
    "startedAt" DATETIME,
    CONSTRAINT "Participant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "rating" TEXT,
    "comment" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Feedback_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ParticipantEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" TEXT NOT NULL,
    "participantId" TEXT,
    "chatId" TEXT,
    "messageId" TEXT,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "clientTime" DATETIME,
    "serverTime" DATETIME NOT NULL,
    "data" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ResearcherSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- AlterTable (SQLite accepts a REFERENCES clause on an added column whose default is NULL)
ALTER TABLE "Chat" ADD COLUMN "participantId" TEXT REFERENCES "Participant" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "condition" TEXT;

-- CreateIndex
CREATE INDEX "Chat_participantId_idx" ON "Chat"("participantId");

-- CreateIndex
CREATE INDEX "Participant_studyId_condition_idx" ON "Participant"("studyId", "condition");

-- CreateIndex
CREATE UNIQUE INDEX "Participant_studyId_userId_key" ON "Participant"("studyId", "userId");

-- CreateIndex
CREATE INDEX "Feedback_messageId_createdAt_idx" ON "Feedback"("messageId", "createdAt");

-- CreateIndex
CREATE INDEX "ParticipantEvent_participantId_serverTime_idx" ON "ParticipantEvent"("participantId", "serverTime");

-- CreateIndex
CREATE INDEX "ParticipantEvent_chatId_serverTime_idx" ON "ParticipantEvent"("chatId", "serverTime");

-- CreateIndex
CREATE INDEX "ParticipantEvent_userId_serverTime_idx" ON "ParticipantEvent"("userId", "serverTime");

-- CreateIndex
CREATE INDEX "ResearcherSession_expiresAt_idx" ON "ResearcherSession"("expiresAt");
